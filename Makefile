# Roster's build, local stack and tests.
#
# Needs only Go, Java 17, Python 3 (with venv), Node with npm, Maven and make on the machine:
# `make tools` installs everything else, pinned, into .tools/ (ignored) and keeps a stamp file per
# tool, so on a warm machine it does nothing. A stamp is older than its pin file when the pins
# change, and then that one tool is reinstalled from scratch.
#
#   make tools         install the pinned tools (DynamoDB Local, moto, the SES emulator, SAM CLI,
#                      checkov, schemathesis, the console's npm packages; chromium with apt)
#   make build         build the console's app, then every functions/<op> into bin/<op>/bootstrap
#                      for this machine
#   make dev           local stack in the foreground; writes .dev/stack.json (see infra/cmd/stack)
#   make bench         benchmarks on a fresh local stack: prints the report and rewrites
#                      infra/bench/RESULTS.md (see infra/bench; BENCH_FLAGS passes flags)
#   make test          tools, lint, sam validate --lint, the security scan, sam build, then every
#                      Go test against a fresh local stack (the fuzz seeds included), the
#                      console's browser tests and schemathesis (internal/contract); what .ci/run
#                      calls
#   make unit          the fast loop: every Go test that needs no local stack (go test -short;
#                      the tests that need the stack or the emulators skip), no tools needed
#   make fuzz          every native fuzz target (func FuzzXxx in internal/), each for FUZZTIME
#                      (default 30s; `make fuzz FUZZTIME=5m`); make test runs their seeds only
#   make lint          gofmt check, go mod tidy check, go vet and staticcheck (a tool in go.mod)
#   make sam-validate  sam validate --lint (cfn-lint)
#   make security-scan checkov on template.yaml: fails on any failed check not skipped in the
#                      template with a reason (README.md, "Operating Roster")
#   make sam-build     sam build, without Docker (see sam-build below)
#   make clean         remove bin/, .aws-sam/ and .dev/ (`make distclean` also removes .tools/)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
MAKEFLAGS += --no-print-directory

TOOLS := .tools
NPROC := $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)

# Lambda binaries: the same flags for the local build and for sam build (ARCHITECTURE.md).
GO_BUILD_FLAGS := -trimpath -ldflags="-s -w" -tags lambda.norpc
# The console function embeds the built app (web/dist) only with the console tag, so that
# go build ./... and go vet ./... work on a fresh clone before any npm install.
CONSOLE_BUILD_FLAGS := -trimpath -ldflags="-s -w" -tags lambda.norpc,console

FUNCTIONS := $(patsubst functions/%/main.go,%,$(wildcard functions/*/main.go))
BOOTSTRAPS := $(FUNCTIONS:%=bin/%/bootstrap)

# The stack runner (infra/cmd/stack). Not under bin/<op>/ so it can't clash with a function.
STACK := bin/roster-stack

# Caches stay inside .tools so nothing lands in the home folder.
export PIP_CACHE_DIR := $(CURDIR)/$(TOOLS)/cache/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export SAM_CLI_TELEMETRY := 0

# The console's app (TypeScript, Vite) and its browser tests, each an npm package with a
# committed lockfile, installed into its own node_modules (ignored). The app's sources are
# every file of the package but its installs, its output and the API types it generates.
CONSOLE_WEB := functions/console/web
CONSOLE_E2E := functions/console/e2e
CONSOLE_DIST := $(CONSOLE_WEB)/dist/index.html
CONSOLE_WEB_STAMP := $(CONSOLE_WEB)/node_modules/.installed
CONSOLE_E2E_STAMP := $(CONSOLE_E2E)/node_modules/.installed
CONSOLE_SOURCES = $(shell find $(CONSOLE_WEB) \( -name node_modules -o -name dist \) -prune -o \
	-type f ! -name schema.d.ts -print) internal/openapi/openapi.json
# The browser the console's tests drive: Debian's chromium (Playwright's own download does
# not work everywhere); installed with apt when missing.
CHROMIUM := /usr/bin/chromium

SAM := $(TOOLS)/sam/bin/sam
MOTO_STAMP := $(TOOLS)/moto/.installed
SAM_STAMP := $(TOOLS)/sam/.installed
SES_STAMP := $(TOOLS)/ses-local/.installed
DYNAMODB_STAMP := $(TOOLS)/dynamodb-local/.installed
SCHEMATHESIS_STAMP := $(TOOLS)/schemathesis/.installed
CHECKOV := $(TOOLS)/checkov/bin/checkov
CHECKOV_STAMP := $(TOOLS)/checkov/.installed
TOOL_STAMPS := $(MOTO_STAMP) $(SAM_STAMP) $(SES_STAMP) $(DYNAMODB_STAMP) $(CHECKOV_STAMP) $(SCHEMATHESIS_STAMP) \
	$(CONSOLE_WEB_STAMP) $(CONSOLE_E2E_STAMP) $(CHROMIUM)

.PHONY: tools build dev test unit bench fuzz lint sam-validate security-scan sam-build clean distclean FORCE

# ---- tools ------------------------------------------------------------------------------------

# An install step's output goes to .tools/logs/<tool>.log and is shown only when it fails.
quietly = mkdir -p $(TOOLS)/logs; if ! ( $(2) ) > $(TOOLS)/logs/$(1).log 2>&1; then \
	echo "tools: installing $(1) failed:"; tail -n 40 $(TOOLS)/logs/$(1).log; exit 1; fi

# The installs are independent and mostly wait on the network: run them side by side.
tools:
	@$(MAKE) -s -j5 $(TOOL_STAMPS)

# Cognito emulator. Every transitive package is pinned, not just moto.
$(MOTO_STAMP): infra/tools/moto-requirements.txt
	@echo "tools: installing moto (Cognito emulator) into $(TOOLS)/moto"
	@rm -rf $(TOOLS)/moto
	@$(call quietly,moto,python3 -m venv $(TOOLS)/moto && $(TOOLS)/moto/bin/pip install -r $<)
	@touch $@

$(SAM_STAMP): infra/tools/sam-requirements.txt
	@echo "tools: installing SAM CLI into $(TOOLS)/sam"
	@rm -rf $(TOOLS)/sam
	@$(call quietly,sam,python3 -m venv $(TOOLS)/sam && $(TOOLS)/sam/bin/pip install -r $<)
	@touch $@

# Contract tests against the local stack (internal/contract runs .tools/schemathesis/bin/st).
$(SCHEMATHESIS_STAMP): infra/tools/schemathesis-requirements.txt
	@echo "tools: installing schemathesis (contract tests) into $(TOOLS)/schemathesis"
	@rm -rf $(TOOLS)/schemathesis
	@$(call quietly,schemathesis,python3 -m venv $(TOOLS)/schemathesis && $(TOOLS)/schemathesis/bin/pip install -r $<)
	@touch $@

# Template security scan. Every transitive package is pinned, not just checkov.
$(CHECKOV_STAMP): infra/tools/checkov-requirements.txt
	@echo "tools: installing checkov (template security scan) into $(TOOLS)/checkov"
	@rm -rf $(TOOLS)/checkov
	@$(call quietly,checkov,python3 -m venv $(TOOLS)/checkov && $(TOOLS)/checkov/bin/pip install -r $<)
	@touch $@

# SES v2 emulator: npm ci from the committed lockfile. The lockfile carries no registry
# addresses (written with --omit-lockfile-registry-resolved), so npm uses the configured one.
$(SES_STAMP): infra/tools/ses-local/package.json infra/tools/ses-local/package-lock.json
	@echo "tools: installing aws-ses-v2-local (SES v2 emulator) into $(TOOLS)/ses-local"
	@rm -rf $(TOOLS)/ses-local
	@mkdir -p $(TOOLS)/ses-local
	@cp $^ $(TOOLS)/ses-local/
	@$(call quietly,ses-local,npm ci --prefix $(TOOLS)/ses-local --cache $(CURDIR)/$(TOOLS)/cache/npm \
		--no-audit --no-fund --omit=dev)
	@touch $@

# DynamoDB Local: the Maven artifact and its jars, with the sqlite4java native library beside
# them (the runner passes that folder as -Djava.library.path).
$(DYNAMODB_STAMP): infra/tools/dynamodb-local/pom.xml
	@echo "tools: installing DynamoDB Local into $(TOOLS)/dynamodb-local"
	@rm -rf $(TOOLS)/dynamodb-local
	@$(call quietly,dynamodb-local,mvn --batch-mode -f $< -Dmaven.repo.local=$(CURDIR)/$(TOOLS)/m2 \
		dependency:copy-dependencies -DoutputDirectory=$(CURDIR)/$(TOOLS)/dynamodb-local/lib)
	@touch $@

# npm ci from each committed lockfile (written without registry addresses; see each .npmrc).
$(CONSOLE_WEB_STAMP): $(CONSOLE_WEB)/package.json $(CONSOLE_WEB)/package-lock.json
	@echo "tools: installing the console's build tools into $(CONSOLE_WEB)/node_modules"
	@$(call quietly,console-web,npm ci --prefix $(CONSOLE_WEB) --cache $(CURDIR)/$(TOOLS)/cache/npm --no-audit --no-fund)
	@touch $@

$(CONSOLE_E2E_STAMP): $(CONSOLE_E2E)/package.json $(CONSOLE_E2E)/package-lock.json
	@echo "tools: installing the console's browser tests into $(CONSOLE_E2E)/node_modules"
	@$(call quietly,console-e2e,npm ci --prefix $(CONSOLE_E2E) --cache $(CURDIR)/$(TOOLS)/cache/npm --no-audit --no-fund)
	@touch $@

$(CHROMIUM):
	@echo "tools: installing chromium with apt-get (the console's browser tests)"
	@$(call quietly,chromium,apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk)

# ---- build ------------------------------------------------------------------------------------

# Compiling every package once, in one go process, before the parallel per-function builds:
# separate go processes do not share work in progress, so on a cold cache each would compile
# the whole SDK again. `go list -export` compiles without linking.
WARM_GO_CACHE = go list -export -deps -trimpath -tags lambda.norpc ./functions/... >/dev/null

# go build relinks nothing when bin/<op>/bootstrap is already up to date, so this stays fast;
# FORCE because Go, not make, knows a function's dependencies.
build:
ifeq ($(BOOTSTRAPS),)
	@echo "build: no functions/*/main.go yet"
else
	@CGO_ENABLED=0 $(WARM_GO_CACHE)
	@$(MAKE) -j$(NPROC) $(BOOTSTRAPS)
endif

bin/%/bootstrap: FORCE
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $@ ./functions/$*

# The console's app: built when its sources or the API document changed; the build checks
# its types and its size budget (functions/console/web/package.json).
$(CONSOLE_DIST): $(CONSOLE_WEB_STAMP) $(CONSOLE_SOURCES)
	npm run --silent --prefix $(CONSOLE_WEB) build

bin/console/bootstrap: $(CONSOLE_DIST) FORCE
	CGO_ENABLED=0 go build $(CONSOLE_BUILD_FLAGS) -o $@ ./functions/console

$(STACK): FORCE
	@go build -o $@ ./infra/cmd/stack

# sam build calls `make build-<LogicalId>` with ARTIFACTS_DIR set (Metadata: BuildMethod: makefile).
# The logical id names the folder, which is also the function's CodeUri: LoginFunction ->
# functions/login, GetMeFunction -> functions/get-me, BootstrapAdminFunction ->
# functions/bootstrap-admin (infra/samtemplate maps names the same way, and its tests check
# this rule and every CodeUri against it).
kebab = $(shell printf '%s' '$(1)' | sed -E 's/([A-Z]+)([A-Z][a-z])/\1-\2/g; s/([a-z0-9])([A-Z])/\1-\2/g' | tr '[:upper:]' '[:lower:]')

build-%Function:
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set: this target is for sam build))
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/$(call kebab,$*)

build-ConsoleFunction: $(CONSOLE_DIST)
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set: this target is for sam build))
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build $(CONSOLE_BUILD_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/console

# ---- benchmarks -------------------------------------------------------------------------------

# The benchmarks' baselines (a hello world, the hello world plus the SDK clients, and that with
# internal/xray linked, for what tracing costs a cold start), built with the functions' own
# flags, and arm64 copies of every binary for the size table (what deploys); the twin function makes the direct calls in a function process (infra/bench/twin.go).
# bin/bench-%/bootstrap has a longer pattern than bin/%/bootstrap, so make prefers it.
BENCH := bin/roster-bench
# The SDK floor with one more client (the floor of the functions that call that service),
# and with the tracing linked.
CLIENT_FLOORS := bin/bench-sdkfloor-cognitoidentityprovider/bootstrap bin/bench-sdkfloor-sesv2/bootstrap
BASELINES := bin/bench-hello/bootstrap bin/bench-sdkfloor/bootstrap bin/bench-sdkfloor-tracing/bootstrap $(CLIENT_FLOORS)
TWIN := bin/bench-twin/bootstrap
ARM64_BOOTSTRAPS := $(FUNCTIONS:%=bin/arm64/%/bootstrap) $(BASELINES:bin/%=bin/arm64/%)

# testdata/sdkfloor with its floor_<service> build tag; a shorter stem than bench-%'s.
bin/bench-sdkfloor-%/bootstrap: FORCE
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS:lambda.norpc=lambda.norpc,floor_$*) -o $@ ./infra/bench/testdata/sdkfloor

bin/arm64/bench-sdkfloor-%/bootstrap: FORCE
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build $(GO_BUILD_FLAGS:lambda.norpc=lambda.norpc,floor_$*) -o $@ ./infra/bench/testdata/sdkfloor

bin/bench-%/bootstrap: FORCE
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $@ ./infra/bench/testdata/$*

bin/arm64/bench-%/bootstrap: FORCE
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $@ ./infra/bench/testdata/$*

bin/arm64/%/bootstrap: FORCE
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $@ ./functions/$*

bin/arm64/console/bootstrap: $(CONSOLE_DIST) FORCE
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build $(CONSOLE_BUILD_FLAGS) -o $@ ./functions/console

$(BENCH): FORCE
	@go build -o $@ ./infra/cmd/bench

bench: tools build $(BASELINES) $(TWIN) $(BENCH)
	@GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(WARM_GO_CACHE)
	@$(MAKE) -j$(NPROC) $(ARM64_BOOTSTRAPS)
	$(BENCH) -out infra/bench/RESULTS.md $(BENCH_FLAGS)

# ---- checks -----------------------------------------------------------------------------------

# -short means "no local stack": a test that needs the stack's variables, or starts emulators
# from .tools, skips under it, and a TestMain that sets the stack up leaves it be (README.md,
# "The commands"). So this runs every other test, cached as go test caches, with no tools.
unit:
	go test -short ./...

# Native fuzzing runs one target at a time (go test -fuzz takes one), each for FUZZTIME. New
# crashers land in the package's testdata/fuzz/<Target>/ and are seeds from then on: commit them
# with the fix. No fuzz target needs the local stack, hence -short.
FUZZTIME ?= 30s

fuzz:
	@for file in $$(grep -rl --include='*_test.go' '^func Fuzz' internal | sort); do \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "fuzz: ./$$(dirname $$file) $$target for $(FUZZTIME)"; \
			go test -short -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) ./$$(dirname $$file) || exit 1; \
		done; \
	done

lint:
	@unformatted=$$(find . -name '*.go' -not -path './.*' -not -path './bin/*' -print0 | xargs -0 -r gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	go mod tidy -diff
	go vet ./...
	go tool staticcheck ./...

sam-validate: tools
	$(SAM) validate --lint

# checkov exits non-zero on any failed check. A check that does not fit Roster is skipped on its
# resource (Metadata: checkov: skip) with the reason beside it, so the scan stays the whole
# story; --skip-download keeps it offline (no Bridgecrew platform, no policy downloads).
# checkov exits 0 on a template it cannot parse (it then checks nothing), hence the summary test.
SCAN_TEMPLATE := template.yaml
security-scan: tools
	@out=$$($(CHECKOV) --quiet --compact --skip-download --framework cloudformation -f $(SCAN_TEMPLATE) 2>&1) \
		|| { echo "$$out"; exit 1; }; echo "$$out"; \
	if grep -q 'Parsing errors' <<<"$$out" || ! grep -q 'Passed checks: [1-9]' <<<"$$out"; then \
		echo "security-scan: checkov checked nothing in $(SCAN_TEMPLATE)"; exit 1; fi

# Without --build-in-source SAM copies the whole CodeUri (the repository, .tools/ included) into
# a scratch folder for every function before calling make; building in the source tree skips that
# copy and keeps Go's build cache warm. No Docker is involved: the makefile build runs here.
# By hand: .tools/sam/bin/sam build --build-in-source   (with any recent sam on PATH, the same)
sam-build: tools
	@GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(WARM_GO_CACHE)
	$(SAM) build --build-in-source --parallel

# The suite signs in from one machine far faster than people do: the limit tests send 30 wrong
# logins at once (per account, and per address) to show Roster's own limits hold under
# concurrency, beside every other test's sign-ins, and at the template's public burst of 40 the
# gateway throttles some of them (one run in two). The stack takes the override as
# `sam deploy --parameter-overrides` would; every other throttle stays as deployed.
TEST_PARAMETERS := PublicRouteThrottleBurstLimit=150

# internal/contract (schemathesis) runs on its own once every other test has passed: it signs
# its accounts out and may freeze or delete any user it finds, which would pull the ground
# from under tests running beside it. Without ROSTER_CONTRACT it skips.
# The console's browser tests (functions/console/e2e) follow the Go tests, in the same stack.
test: tools lint sam-validate security-scan sam-build $(STACK)
	$(STACK) run $(TEST_PARAMETERS) -- sh -c 'go test -count=1 ./... && npm test --silent --prefix $(CONSOLE_E2E) && ROSTER_CONTRACT=1 go test -count=1 -timeout 20m ./internal/contract/'

# ---- local stack ------------------------------------------------------------------------------

dev: tools $(STACK)
	$(STACK) dev

clean:
	rm -rf bin .aws-sam .dev

distclean: clean
	rm -rf $(TOOLS)
