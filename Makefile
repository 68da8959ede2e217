# Sbor — build, run and test. `make run` and `make test` are all a fresh
# machine needs (Debian with Go and gcc; .ci/run installs the rest).

GO       ?= go
BIN      := bin
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DATE     := $(shell date -u +%F)
PKG      := github.com/sbor-project/sbor
LDFLAGS  := -s -w -X $(PKG)/shared/release.Version=$(VERSION) -X $(PKG)/shared/release.Date=$(DATE)
RUN_DIR  ?= $(CURDIR)/.run
PIN      ?= 1234
KIOSK_ADDR ?= 127.0.0.1:8080
SERVER_ADDR ?= 127.0.0.1:8090
FUZZTIME ?= 2m
TEST_FUZZTIME ?= 4s

.PHONY: all build run clean-run test vet fmt-check fuzz bench clean
.PHONY: pi check-scripts

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/kiosk ./kiosk
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/sync-server ./sync-server

# run: a sync server and one kiosk enrolled to it on the demo catalogue,
# data in .run/ (kept between runs; `make clean-run` starts afresh).
run: build
	$(GO) build -o $(BIN)/rundemo ./scripts/rundemo
	$(BIN)/rundemo -bin $(BIN) -data $(RUN_DIR) -kiosk-addr $(KIOSK_ADDR) -server-addr $(SERVER_ADDR) -pin $(PIN)

clean-run:
	rm -rf $(RUN_DIR)

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# test: every test, with a short fuzzing budget; long fuzzing is `make fuzz`.
test: check-scripts fmt-check vet
	$(GO) test -count=1 -timeout 12m ./...
	$(MAKE) fuzz FUZZTIME=$(TEST_FUZZTIME)

fuzz:
	$(GO) test ./shared/citizen -run '^$$' -fuzz FuzzNormalize -fuzztime $(FUZZTIME)
	$(GO) test ./shared/catalog -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./shared/syncproto -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME)
	$(GO) test ./shared/signature -run '^$$' -fuzz FuzzForm -fuzztime $(FUZZTIME)

# bench: the performance figures of docs/benchmarks.md, each against a
# limit measured in the same run; prints the table and rewrites the doc.
bench: build
	$(GO) run ./scripts/bench -bin $(BIN) -out docs/benchmarks.md

clean:
	rm -rf $(BIN)

# pi: both programs for Raspberry Pi OS, 64-bit (linux/arm64) and 32-bit
# (linux/arm, GOARM=7), with cgo SQLite through Debian's cross compilers
# (apt-get install gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf), into
# bin/linux-arm64/ and bin/linux-armv7/. docs/deploy.md installs them.
PI_ARM64 := CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc
PI_ARMV7 := CGO_ENABLED=1 GOOS=linux GOARCH=arm GOARM=7 CC=arm-linux-gnueabihf-gcc

pi:
	@for cc in aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc; do command -v $$cc >/dev/null || { \
	  echo "make pi needs $$cc: apt-get install gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf"; exit 1; }; done
	$(PI_ARM64) $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-arm64/kiosk ./kiosk
	$(PI_ARM64) $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-arm64/sync-server ./sync-server
	$(PI_ARMV7) $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-armv7/kiosk ./kiosk
	$(PI_ARMV7) $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-armv7/sync-server ./sync-server
	@if command -v file >/dev/null; then file $(BIN)/linux-arm64/* $(BIN)/linux-armv7/*; fi

# check-scripts: every shell script parses and passes shellcheck
# (apt-get install shellcheck).
check-scripts:
	@command -v shellcheck >/dev/null || { echo "check-scripts needs shellcheck: apt-get install shellcheck"; exit 1; }
	for f in scripts/*.sh .ci/run; do bash -n "$$f" || exit 1; done
	shellcheck -x scripts/*.sh .ci/run
