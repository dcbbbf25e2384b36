#!/usr/bin/env bash
# Installs what the origin (or the tests) need from the system and npm does not provide.
#   scripts/setup.sh          ffmpeg and ffprobe (run before `npm start`)
#   scripts/setup.sh --tests  also redis-server, chromium, tesseract (English) and DejaVu fonts (before `npm test`)
# On Debian and Ubuntu it installs what is missing with apt-get (as root, or through sudo). Elsewhere it
# installs nothing: it names what is missing and the command that installs it, and fails.
# `npm start` and `npm test` run it first (prestart, pretest), and so does CI (.ci/run runs `npm test`).
set -euo pipefail

tests=false
[ "${1:-}" = "--tests" ] && tests=true

missing=()   # what is missing, as a person would name it
apt=()       # Debian/Ubuntu packages that provide it
brew=()      # Homebrew formulae that provide it
# FFMPEG_PATH and FFPROBE_PATH choose other binaries, as they do for the origin.
command -v "${FFMPEG_PATH:-ffmpeg}" >/dev/null && command -v "${FFPROBE_PATH:-ffprobe}" >/dev/null ||
  { missing+=(ffmpeg); apt+=(ffmpeg); brew+=(ffmpeg-full); }
if $tests; then
  command -v redis-server >/dev/null || { missing+=(redis-server); apt+=(redis-server); brew+=(redis); }
  # The browser tests launch /usr/bin/chromium (test/helpers/browser-launch.ts).
  [ -x /usr/bin/chromium ] || { missing+=(chromium); apt+=(chromium); }
  if ! command -v tesseract >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx eng; then
    missing+=(tesseract); apt+=(tesseract-ocr tesseract-ocr-eng); brew+=(tesseract)
  fi
  # Chromium's pages need a font; Debian's chromium package only recommends one.
  [ "$(uname -s)" != Linux ] || [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] ||
    { missing+=(fonts-dejavu-core); apt+=(fonts-dejavu-core); }
fi
[ ${#missing[@]} -eq 0 ] && exit 0

say() { echo "setup: $*" >&2; }
os_id=""
[ -r /etc/os-release ] && os_id="$(. /etc/os-release && echo "${ID:-} ${ID_LIKE:-}")"

chromium_from_playwright=false
case "$(uname -s) $os_id" in
  Linux*debian* | Linux*ubuntu*)
    if [[ "$os_id" == *ubuntu* && " ${apt[*]} " == *" chromium "* ]]; then
      # Ubuntu packages Chromium only as a snap (no snapd in containers): Playwright's build instead,
      # linked where the tests look for it.
      chromium_from_playwright=true
      kept=()
      for p in "${apt[@]}"; do [ "$p" = chromium ] || kept+=("$p"); done
      apt=("${kept[@]}")
    fi
    install="apt-get update && apt-get install -y --no-install-recommends ${apt[*]}"
    if [ "$(id -u)" -eq 0 ]; then
      sudo=(env)
    elif command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
      sudo=(sudo)
    else
      say "missing: ${missing[*]}. Install it as root, then run this again:"
      say "  $install"
      $chromium_from_playwright && say "  npx playwright-core install --with-deps chromium   # and link its chrome at /usr/bin/chromium"
      exit 1
    fi
    say "missing: ${missing[*]}; installing: $install"
    "${sudo[@]}" apt-get update -qq
    [ ${#apt[@]} -eq 0 ] ||
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt[@]}" >/dev/null
    if $chromium_from_playwright; then
      say "chromium: Playwright's build, linked at /usr/bin/chromium"
      "${sudo[@]}" env PLAYWRIGHT_BROWSERS_PATH=/opt/playwright npx --no-install playwright-core install --with-deps chromium
      "${sudo[@]}" ln -sf "$(PLAYWRIGHT_BROWSERS_PATH=/opt/playwright node -e \
        "console.log(require('playwright-core').chromium.executablePath())")" /usr/bin/chromium
    fi
    ;;
  Darwin*)
    say "missing: ${missing[*]}. Install it, then run this again:"
    [ ${#brew[@]} -eq 0 ] || say "  brew install ${brew[*]}"
    # Homebrew's plain ffmpeg lacks filters the origin uses (zscale); ffmpeg-full is not linked onto PATH.
    if [[ " ${brew[*]} " == *" ffmpeg-full "* ]]; then
      say '  export FFMPEG_PATH="$(brew --prefix ffmpeg-full)/bin/ffmpeg" FFPROBE_PATH="$(brew --prefix ffmpeg-full)/bin/ffprobe"'
    fi
    if $tests; then say "  (the browser tests launch Chromium at /usr/bin/chromium: they run on Debian or Ubuntu)"; fi
    exit 1
    ;;
  *)
    say "missing: ${missing[*]}. Install it with your system's package manager, then run this again"
    say "  (ffmpeg with the libx264 encoder and the zscale filter; Debian's packages: ${apt[*]})"
    exit 1
    ;;
esac
