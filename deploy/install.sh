#!/usr/bin/env bash
# Install ingestd as a systemd service.
#
#   sudo deploy/install.sh [--no-start] [--skip-deps] [--skip-build] [--dry-run]
#
# Idempotent: safe to run again after `git pull` to rebuild, reinstall the binary and the unit,
# and restart the service. It never overwrites an existing /etc/ingestd/news.yaml.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: sudo deploy/install.sh [options]

Builds ingestd (release) and installs it as the systemd service "ingestd".

Options:
  --no-start    install everything but do not enable/start (or restart) the service
  --skip-deps   do not check/install the apt build dependencies
  --skip-build  do not run `swift build`; install the already built release binary
  --dry-run     print what would be done, change nothing (does not need root)
  -h, --help    show this help

Environment:
  SWIFT         path to the swift executable (default: `swift` on PATH, then /opt/swift/usr/bin/swift)
EOF
}

NO_START=0
SKIP_DEPS=0
SKIP_BUILD=0
DRY_RUN=0
while (($#)); do
    case "$1" in
        --no-start) NO_START=1 ;;
        --skip-deps) SKIP_DEPS=1 ;;
        --skip-build) SKIP_BUILD=1 ;;
        --dry-run | -n) DRY_RUN=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# ---- constants ---------------------------------------------------------------------------------
SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"

SERVICE=ingestd
SVC_USER=ingestd
SVC_GROUP=ingestd
BIN_DEST=/usr/local/bin/ingestd
CONF_DIR=/etc/ingestd
CONF_FILE=$CONF_DIR/news.yaml
DATA_DIR=/var/lib/ingestd
UNIT_SRC=$SCRIPT_DIR/ingestd.service
UNIT_DEST=/etc/systemd/system/ingestd.service
PIPELINE_SRC=$REPO_ROOT/pipelines/news.yaml

# ---- helpers -----------------------------------------------------------------------------------
log() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command, echoing it; in --dry-run only echo it.
run() {
    printf '  +'
    printf ' %q' "$@"
    printf '\n'
    if ((DRY_RUN == 0)); then
        "$@"
    fi
}

systemd_is_pid1() { [[ -d /run/systemd/system ]]; }

# ---- preconditions -----------------------------------------------------------------------------
if ((DRY_RUN)); then
    log "dry run: nothing will be changed"
elif ((EUID != 0)); then
    die "must be run as root (try: sudo $0 $*)"
fi

[[ -f $UNIT_SRC ]] || die "unit file not found: $UNIT_SRC"
[[ -f $SCRIPT_DIR/ingestd.1 ]] || die "man page not found: $SCRIPT_DIR/ingestd.1"
[[ -f $REPO_ROOT/Package.swift ]] || die "Package.swift not found in $REPO_ROOT (is the script inside the repo?)"

# ---- 1. build dependencies ---------------------------------------------------------------------
if ((SKIP_DEPS == 0)); then
    # One list of system packages for the whole project: scripts/ensure-deps.
    log "checking build dependencies (scripts/ensure-deps)"
    if ((DRY_RUN)); then
        printf '  + %q\n' "$REPO_ROOT/scripts/ensure-deps"
    else
        "$REPO_ROOT/scripts/ensure-deps" || die "scripts/ensure-deps failed"
    fi
fi

# ---- 2. build ----------------------------------------------------------------------------------
find_swift() {
    local c
    for c in "${SWIFT:-}" "$(command -v swift 2>/dev/null || true)" /opt/swift/usr/bin/swift /usr/share/swift/usr/bin/swift; do
        if [[ -n $c && -x $c ]]; then
            printf '%s\n' "$c"
            return 0
        fi
    done
    return 1
}

SWIFT_BIN="$(find_swift)" || die "swift not found; set SWIFT=/path/to/swift (sudo resets PATH)"

# Build as the repo owner when invoked through sudo, so .build/ does not become root-owned.
build_as=()
repo_owner="$(stat -c %U "$REPO_ROOT")"
if [[ -n ${SUDO_USER:-} && $SUDO_USER != root && $repo_owner == "$SUDO_USER" ]]; then
    build_as=(runuser -u "$SUDO_USER" --)
fi

swift_build() {
    (cd "$REPO_ROOT" && "${build_as[@]}" "$SWIFT_BIN" build -c release --product ingestd "$@")
}

if ((SKIP_BUILD == 0)); then
    log "building ingestd (release) in $REPO_ROOT with $SWIFT_BIN${build_as:+ as $SUDO_USER}"
    printf '  + (cd %q && %s build -c release --product ingestd)\n' "$REPO_ROOT" "$SWIFT_BIN"
    ((DRY_RUN)) || swift_build
fi

if ((DRY_RUN)); then
    BIN_SRC="$REPO_ROOT/.build/release/ingestd"
else
    BIN_SRC="$(swift_build --show-bin-path)/ingestd"
    [[ -x $BIN_SRC ]] || die "built binary not found: $BIN_SRC"
fi

# ---- 3. binary ---------------------------------------------------------------------------------
# Copy to a temp name and rename: atomic, and works while the old binary is running.
log "installing $BIN_DEST"
run install -D -m 0755 -o root -g root "$BIN_SRC" "$BIN_DEST.new"
run mv -f "$BIN_DEST.new" "$BIN_DEST"

# ---- 3b. shell completions and man page -------------------------------------------------------
# The completion scripts come from the binary itself (swift-argument-parser), so they always match
# its commands and options; the man page is deploy/ingestd.1.
MAN_DEST=/usr/local/share/man/man1/ingestd.1
COMPLETIONS=(
    "bash /usr/share/bash-completion/completions/ingestd"
    "zsh /usr/local/share/zsh/site-functions/_ingestd"
    "fish /usr/share/fish/vendor_completions.d/ingestd.fish"
)
log "installing shell completions and the man page"
for entry in "${COMPLETIONS[@]}"; do
    shell=${entry%% *}
    dest=${entry#* }
    printf '  + %q --generate-completion-script %s > %q\n' "$BIN_DEST" "$shell" "$dest"
    if ((DRY_RUN == 0)); then
        install -d -m 0755 -o root -g root "$(dirname "$dest")"
        "$BIN_DEST" --generate-completion-script "$shell" >"$dest.new" && chmod 0644 "$dest.new" && mv -f "$dest.new" "$dest" \
            || warn "could not write the $shell completion to $dest"
    fi
done
run install -D -m 0644 -o root -g root "$SCRIPT_DIR/ingestd.1" "$MAN_DEST"
if ((DRY_RUN == 0)) && command -v mandb >/dev/null; then mandb -q >/dev/null 2>&1 || true; fi

# ---- 4. system user and group ------------------------------------------------------------------
if getent group "$SVC_GROUP" >/dev/null; then
    log "group $SVC_GROUP exists"
else
    log "creating system group $SVC_GROUP"
    run groupadd --system "$SVC_GROUP"
fi
if getent passwd "$SVC_USER" >/dev/null; then
    log "user $SVC_USER exists"
else
    log "creating system user $SVC_USER"
    run useradd --system --gid "$SVC_GROUP" --home-dir "$DATA_DIR" --no-create-home \
        --shell /usr/sbin/nologin --comment "ingestd daemon" "$SVC_USER"
fi

# ---- 5. data dir -------------------------------------------------------------------------------
# systemd (StateDirectory=) creates /var/lib/ingestd too; creating it here lets users drop files
# before the first start. inbox/ is setgid so dropped files belong to group ingestd.
log "preparing $DATA_DIR"
run install -d -m 0770 -o "$SVC_USER" -g "$SVC_GROUP" "$DATA_DIR"
run install -d -m 2770 -o "$SVC_USER" -g "$SVC_GROUP" "$DATA_DIR/inbox"

# ---- 6. pipeline config (never overwritten) ----------------------------------------------------
run install -d -m 0755 -o root -g root "$CONF_DIR"
if [[ -e $CONF_FILE ]]; then
    log "keeping existing $CONF_FILE"
    if [[ -f $PIPELINE_SRC ]] && ! cmp -s "$PIPELINE_SRC" "$CONF_FILE"; then
        warn "$CONF_FILE differs from the shipped default; compare with: diff -u $CONF_FILE $PIPELINE_SRC"
    fi
else
    if [[ ! -f $PIPELINE_SRC ]]; then
        if ((DRY_RUN)); then warn "default pipeline not found: $PIPELINE_SRC"; else die "default pipeline not found: $PIPELINE_SRC"; fi
    fi
    log "installing default pipeline to $CONF_FILE"
    run install -m 0644 -o root -g root "$PIPELINE_SRC" "$CONF_FILE"
fi
# The data files the default pipeline names (entity gazetteers), beside it; kept when present.
run install -d -m 0755 -o root -g root "$CONF_DIR/gazetteers"
for data in "$REPO_ROOT"/pipelines/gazetteers/*.yaml; do
    [[ -f $data ]] || continue
    dest=$CONF_DIR/gazetteers/$(basename "$data")
    if [[ -e $dest ]]; then log "keeping existing $dest"; else run install -m 0644 -o root -g root "$data" "$dest"; fi
done

# ---- 7. unit -----------------------------------------------------------------------------------
log "installing $UNIT_DEST"
run install -m 0644 -o root -g root "$UNIT_SRC" "$UNIT_DEST"

# ---- 8. validate -------------------------------------------------------------------------------
log "validating $CONF_FILE"
if ((DRY_RUN == 0)) && ! "$BIN_DEST" validate "$CONF_FILE"; then
    die "$CONF_FILE is not valid; fix it, then run: $BIN_DEST validate $CONF_FILE && systemctl restart $SERVICE"
fi
((DRY_RUN == 0)) || printf '  + %q validate %q\n' "$BIN_DEST" "$CONF_FILE"

# ---- 9. enable / start -------------------------------------------------------------------------
if ! systemd_is_pid1; then
    log "systemd is not running as PID 1 here; nothing started. On a systemd host run:"
    printf '    systemctl daemon-reload\n    systemctl enable --now %s\n' "$SERVICE"
    printf 'or run it in the foreground:\n    (umask 0007; runuser -u %s -- %s run --pipeline %s --data-dir %s)\n' \
        "$SVC_USER" "$BIN_DEST" "$CONF_FILE" "$DATA_DIR"
elif ((NO_START)); then
    run systemctl daemon-reload
    log "--no-start: not enabling/starting. When ready: systemctl enable --now $SERVICE"
else
    run systemctl daemon-reload
    if systemctl is-active --quiet "$SERVICE"; then
        # Already running: pick up the new binary/unit (SIGTERM → drain → start).
        run systemctl enable "$SERVICE"
        run systemctl restart "$SERVICE"
    else
        run systemctl enable --now "$SERVICE"
    fi
    ((DRY_RUN)) || systemctl --no-pager --lines=0 status "$SERVICE" || true
fi

cat <<EOF

Done.
  binary    $BIN_DEST
  pipeline  $CONF_FILE
  data      $DATA_DIR   (drop files into $DATA_DIR/inbox/)
  records   $DATA_DIR/records/records.jsonl
  logs      ingestd tail          (or: journalctl -u $SERVICE -f -o cat | jq)
  records   ingestd tail --records --pipeline $CONF_FILE --data-dir $DATA_DIR
  manual    man ingestd
To let a user drop files: usermod -aG $SVC_GROUP USER   (then log in again)
EOF
