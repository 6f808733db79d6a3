# Dot-sourced by run-app.ps1 and run-tests.ps1: creates .venv\ and installs the project.
# On Windows the sounddevice and PySide6 wheels carry PortAudio and Qt, so no system packages are needed.
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
$Venv = Join-Path $Root ".venv"
$Python = Join-Path $Venv "Scripts\python.exe"

function Ensure-Venv([string]$Extras) {
    if (-not (Test-Path $Python)) {
        py -3 -m venv $Venv
        if ($LASTEXITCODE -ne 0) { throw "Genre Desktop needs Python 3.10 or newer (py -3)." }
    }
    $hash = (Get-FileHash (Join-Path $Root "pyproject.toml") -Algorithm SHA256).Hash.Substring(0, 16).ToLower()
    $wanted = "$hash [$Extras]"
    $stamp = Join-Path $Venv ".genre-desktop-installed"
    if (-not ((Test-Path $stamp) -and (Select-String -Path $stamp -SimpleMatch $wanted -Quiet))) {
        Write-Host "Installing Python packages into .venv (first run takes a few minutes)..."
        & $Python -m pip install -q --upgrade pip
        if ($Extras) { & $Python -m pip install -q -e "$Root[$Extras]" } else { & $Python -m pip install -q -e "$Root" }
        if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
        Add-Content -Path $stamp -Value $wanted
    }
}
