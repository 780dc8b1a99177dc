# captures/read-options.sh - the options a bundled capture must be read
# with (sourced by tools/pgo-build.sh and tests/release/check.sh, which run
# sipscope over every capture). Most need none; hep-port-19062 carries HEP
# on a port sipscope does not take for HEP by default.
# shellcheck shell=sh

# capture_read_options FILE: prints the extra sipscope options for FILE.
capture_read_options() {
    case $1 in
    *hep-port-19062*) echo "--hep-port 19062" ;;
    esac
}
