# The two commands of the README. Both do all the set-up they need, idempotently.
HA := node bin/hyperagents.js

.PHONY: setup run test up down

setup:
	@bash infra/setup.sh

up: setup
	@$(HA) dev up

## The main job: bring the stack up and run a short evolution with an in-process worker, live.
run: up
	@$(HA) run --worker --follow

## The whole test suite: lint, formatting, types, then every jest project (unit, e2e and, in a second
## jest process beside them, faults: see jest.config.js and test/run.sh) against the real stack.
## `npm run test:unit` is the fast tier.
test: up
	npx eslint .
	npx prettier --check . --log-level warn
	npx tsc -p tsconfig.json --noEmit
	test/run.sh

down:
	@$(HA) dev down
