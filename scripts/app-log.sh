# Sourced by run.sh. The app's and the emulator's logs are appended across restarts, so the run before a crash is
# still there; at start a log over ECHAIN_LOG_ROTATE_BYTES (50 MB) becomes FILE.1 (FILE.1 → FILE.2 …, keeping
# ECHAIN_LOG_KEEP = 3), and each run begins with a marker line.

# open_app_log FILE WHAT: rotate FILE if it is too big, then append the start marker for WHAT.
open_app_log() {
  local file=$1 what=$2 max=${ECHAIN_LOG_ROTATE_BYTES:-52428800} keep=${ECHAIN_LOG_KEEP:-3} i
  if [ -f "$file" ] && [ "$(wc -c <"$file")" -gt "$max" ]; then
    rm -f "$file.$keep"
    for ((i = keep - 1; i >= 1; i--)); do
      [ -f "$file.$i" ] && mv "$file.$i" "$file.$((i + 1))"
    done
    mv "$file" "$file.1"
  fi
  printf '==== %s started %s (pid %s) ====\n' "$what" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$$" >>"$file"
}
