# Opnieuw Thuis as one container: one binary, one SQLite file on the /data volume.
#
#   docker build -t opnieuwthuis .
#   docker run -d --name opnieuwthuis -p 8080:8080 -v opnieuwthuis-data:/data opnieuwthuis
#
# With LITESTREAM_REPLICA_URL set, `serve` runs the site under Litestream, which
# ships every write to the replica (README, "Continuous backup").
#
# The build needs vendor/ in the context (`go mod vendor` first; it is not committed),
# so that it downloads nothing. The base images are build arguments, so that a
# machine without a registry can build from local stand-ins (.ci/docker-smoke).
ARG GO_IMAGE=golang:1.26-bookworm
# Distroless base: Debian 12's glibc (the cgo SQLite driver needs it, and the build
# stage links against the same), CA certificates and time zones, and nothing else:
# no shell, no package manager. Its :nonroot tag runs as uid 65532.
ARG RUNTIME_IMAGE=gcr.io/distroless/base-debian12:nonroot

FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=1 GOFLAGS=-mod=vendor GOTOOLCHAIN=local
# SQLite (cgo, a few minutes to compile) in a layer of its own, built with exactly
# the flags of the final build so that its compiled package is reused from the
# build cache: a code change then rebuilds in seconds.
COPY go.mod go.sum ./
COPY vendor/ vendor/
RUN go build -tags sqlite_fts5 -trimpath github.com/mattn/go-sqlite3
COPY . .
# bin/litestream, when the build context has it (built on the host: see README,
# "Continuous backup"), goes into the image beside the site; without it the image
# has no Litestream and a start with LITESTREAM_REPLICA_URL says so.
RUN go build -tags sqlite_fts5 -trimpath -ldflags='-s -w' -o /out/bin/opnieuwthuis . \
 && if [ -f bin/litestream ]; then install -m 0755 bin/litestream /out/bin/litestream; fi \
 && mkdir -p /out/data

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/bin/ /usr/local/bin/
COPY deploy/litestream.yml /etc/litestream.yml
# The volume's mount point belongs to the user the site runs as, so that a new named
# volume starts out writable for it.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV DB_PATH=/data/opnieuwthuis.db ADDR=0.0.0.0:8080
VOLUME /data
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/opnieuwthuis", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/opnieuwthuis"]
CMD ["serve"]
