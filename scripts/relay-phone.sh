#!/bin/sh
# Plays a relay phone with curl, following the README's "Relay a real Android phone" steps: what an
# Automagic or Tasker flow on the phone does, one call at a time.
#
#   scripts/relay-phone.sh <sandbox-url> <token>                          step 1-3: poll once; "send" what comes (result 1)
#   scripts/relay-phone.sh <sandbox-url> <token> --fail                   the same, reported as not sent (result 2)
#   scripts/relay-phone.sh <sandbox-url> <token> --notify <title> <text>  step 4: forward a WhatsApp notification
#   scripts/relay-phone.sh <sandbox-url> <token> --watch                  poll every 5 s, as the phone's timer does, until stopped
#
# The token is what `POST <sandbox-url>/__sandbox/relay/devices` answered. Exits non-zero when a call fails.
set -eu

if [ $# -lt 2 ]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
sandbox=${1%/}
token=$2
mode=${3:-send}

# Step 1: ask for the next message. Step 2: read the JSON: {"send":false}, or {"send":true,"id":…,"phone":…,"text":…,"link":…}.
# Step 3: open the link in WhatsApp, tap Send, and post the result: 1 sent, 2 the chat never opened.
round() {
  answer=$(curl -fsS "$sandbox/__relay/next?token=$token")
  case $answer in
    *'"send":true'*) ;;
    *)
      echo "nothing to send"
      return 0
      ;;
  esac
  id=$(printf '%s' "$answer" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
  phone=$(printf '%s' "$answer" | sed -n 's/.*"phone":"\([0-9]*\)".*/\1/p')
  status=1
  [ "$mode" = --fail ] && status=2
  curl -fsS -X POST "$sandbox/__relay/result?token=$token" --data-urlencode "id=$id" --data-urlencode "status=$status" >/dev/null
  echo "message $id to $phone: result $status"
}

case $mode in
  send | --fail) round ;;
  --watch)
    while :; do
      round
      sleep 5
    done
    ;;
  --notify)
    # Step 4: forward every WhatsApp notification as it is: its title (a name, a number, or "Name @ Group") and its text.
    [ $# -eq 5 ] || { echo "--notify needs a title and a text" >&2; exit 2; }
    curl -fsS -X POST "$sandbox/__relay/notification?token=$token" \
      --data-urlencode "title=$4" --data-urlencode "text=$5" --data-urlencode "package=com.whatsapp"
    echo
    ;;
  *)
    echo "unknown option $mode" >&2
    exit 2
    ;;
esac
