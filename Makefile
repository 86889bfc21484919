# Opnieuw Thuis. `make run` serves the site; `make test` sets up and runs every test.
GO_TAGS := sqlite_fts5
export CGO_ENABLED := 1

.PHONY: run build test setup gotest

run:
	go run -tags $(GO_TAGS) .

build:
	go build -tags $(GO_TAGS) -trimpath -o opnieuwthuis .

test: setup gotest

# Installs what the tests need when it is missing (Debian, as root): chromium.
setup:
	./.ci/setup

gotest:
	go vet -tags $(GO_TAGS) ./...
	go test -tags $(GO_TAGS) -count=1 ./...
