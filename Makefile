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
FUZZTIME ?= 10s

.PHONY: all build run test vet fmt-check fuzz clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/kiosk ./kiosk

# run: the kiosk on the demo catalogue with its data in .run/ (kept between runs).
run: build
	@mkdir -p $(RUN_DIR)/kiosk
	@echo "Киоск / kiosk: http://$(KIOSK_ADDR)/   (ПИН оператора / operator PIN: $(PIN))"
	SBOR_OPERATOR_PIN=$(PIN) $(BIN)/kiosk -demo -addr $(KIOSK_ADDR) -data $(RUN_DIR)/kiosk

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# test: every test, with a short fuzzing budget; long fuzzing is `make fuzz`.
test: fmt-check vet
	$(GO) test -count=1 -timeout 12m ./...

fuzz:
	$(GO) test ./shared/citizen -run '^$$' -fuzz FuzzNormalize -fuzztime $(FUZZTIME)
	$(GO) test ./shared/catalog -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)

clean:
	rm -rf $(BIN)
