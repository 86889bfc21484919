# Opnieuw Thuis. `make run` serves the site; `make test` sets up and runs every test.
GO_TAGS := sqlite_fts5
export CGO_ENABLED := 1
# Go 1.26.8, this machine's Go, has standard-library vulnerabilities that are fixed
# only in releases this machine cannot get (1.26.9, 1.26.10); go1.27.3 comes from
# the Go module proxy (about 10 s, once per machine). Build, test and ship with it.
export GOTOOLCHAIN := go1.27.3

.PHONY: run build test setup gotest fuzz vulncheck docker-smoke

run:
	go run -tags $(GO_TAGS) .

build:
	go build -tags $(GO_TAGS) -trimpath -o opnieuwthuis .

test: setup gotest fuzz vulncheck docker-smoke

# Installs what the tests need when it is missing (Debian, as root): chromium, nginx,
# docker.io, debootstrap.
setup:
	./.ci/setup

gotest:
	go vet -tags $(GO_TAGS) ./...
	go test -tags $(GO_TAGS) -count=1 ./...

# A short run of the fuzz target over the library's query parsing; a longer one:
# make fuzz FUZZTIME=10m
FUZZTIME ?= 20s
fuzz:
	go test -tags $(GO_TAGS) -run '^$$' -fuzz '^FuzzLibraryQuery$$' -fuzztime $(FUZZTIME) ./handlers/

# Known vulnerabilities in the code the binary reaches (see README, "Security checks").
vulncheck:
	./.ci/vulncheck

# Builds the Docker image and checks the running container (see .ci/docker-smoke).
docker-smoke:
	./.ci/docker-smoke
