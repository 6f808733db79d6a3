# Installs what is missing, then runs the whole test suite headless. Extra arguments go to pytest.
. (Join-Path $PSScriptRoot "bootstrap.ps1")
Ensure-Venv "test,package"
Set-Location $Root
$env:QT_QPA_PLATFORM = "offscreen"
& $Python -m pytest @args
exit $LASTEXITCODE
