#!/usr/bin/env bash
# azd postdeploy hook: points SignalR Service's Serverless upstream at the function app's SignalR webhook, so
# "connected" events reach OnConnected (which sends each connection its group-join proof). The URL carries the
# function app's `signalr_extension` system key, which the Functions host creates only once the package with a
# signalRTrigger runs: hence after deploy, not in the first provision. The URL is also stored in the azd
# environment (SIGNALR_UPSTREAM_URL_TEMPLATE), so every later `azd provision` keeps the upstream.
set -euo pipefail
: "${AZURE_RESOURCE_GROUP:?}" "${FUNCTION_APP_NAME:?}" "${SIGNALR_NAME:?}"

host=$(az functionapp show -g "$AZURE_RESOURCE_GROUP" -n "$FUNCTION_APP_NAME" --query defaultHostName -o tsv)
key=""
for _ in $(seq 30); do  # the host registers the extension's key on its first start after deploy
  key=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$FUNCTION_APP_NAME" --query "systemKeys.signalr_extension" -o tsv 2>/dev/null || true)
  [ -n "$key" ] && break
  sleep 10
done
[ -n "$key" ] || { echo "no signalr_extension system key on $FUNCTION_APP_NAME (is OnConnected deployed?)" >&2; exit 1; }

url="https://$host/runtime/webhooks/signalr?code=$key"
az signalr upstream update -g "$AZURE_RESOURCE_GROUP" -n "$SIGNALR_NAME" \
  --template url-template="$url" hub-pattern=echain category-pattern=connections event-pattern=connected >/dev/null
azd env set SIGNALR_UPSTREAM_URL_TEMPLATE "$url"
echo "SignalR upstream: https://$host/runtime/webhooks/signalr?code=*** (hub echain, connections/connected)"
