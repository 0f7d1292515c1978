# Get-DockOptImage over all local images in a warm session vs 'docker image inspect $(docker image ls -q)'
# (target: no slower, ratio <= 1.0).
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Runs = 9)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchHelpers.psm1') -Force
Import-Module $ModulePath -Force
$count = @(& docker image ls -q --no-trunc | Sort-Object -Unique).Count
Write-Host "local images: $count"
Measure-SideBySide -Name "Get-DockOptImage, all $count images (warm session)" -PeerName 'docker image inspect $(docker image ls -q)' -Runs $Runs `
    -DockOpt { Get-DockOptImage } `
    -Peer { & docker image inspect (& docker image ls -q) } | Format-List
