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

## The whole test suite: lint, formatting, types, then both jest tiers (unit and e2e, see
## jest.config.js; one run, every project) against the real stack. `npm run test:unit` is the fast tier.
test: up
	npx eslint .
	npx prettier --check . --log-level warn
	npx tsc -p tsconfig.json --noEmit
	npx jest --runInBand

down:
	@$(HA) dev down
