# Installs what is missing, then starts Genre Desktop. Extra arguments go to the app.
. (Join-Path $PSScriptRoot "bootstrap.ps1")
Ensure-Venv ""
& (Join-Path $Venv "Scripts\genre-desktop.exe") @args
exit $LASTEXITCODE
