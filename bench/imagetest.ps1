# Test-DockOptImage file checks (one content check on /etc/os-release) vs 'docker run --rm IMAGE cat /etc/os-release',
# on the largest local base (dockopt/python:3.11, about 900 MB; target: ratio <= 2.0). Also the bytes the check
# allocates on a 2 MB image and on the big one: reading through the engine's archive API costs the same whatever the
# image's file count.
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Runs = 5, [string] $Image = 'dockopt/python:3.11', [string] $SmallImage = 'dockopt/busybox:latest')
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchHelpers.psm1') -Force
Import-Module $ModulePath -Force
if (-not (& docker image ls -q $Image)) {
    # The largest local image stands in when the usual base is missing.
    $Image = (& docker image ls --format '{{.Size}} {{.Repository}}:{{.Tag}}' | Where-Object { $_ -notmatch '<none>' } |
        Sort-Object { [double]($_ -replace '^([\d.]+)(\w+).*', '$1') * @{ kB = 1e3; MB = 1e6; GB = 1e9 }[($_ -replace '^[\d.]+(\w+).*', '$1')] } |
        Select-Object -Last 1).Split(' ')[1]
}
$spec = Join-Path ([IO.Path]::GetTempPath()) "dockopt-bench-imagetest-$PID.yaml"
Set-Content $spec "files:`n  - path: /etc/os-release`n    contains: ['^ID=']`n  - path: /usr/bin`n    type: directory`n"
try {
    $check = @(Test-DockOptImage $Image -SpecPath $spec -Category Files)
    if (@($check | Where-Object Outcome -NE 'Passed').Count) { throw "The file checks did not pass on ${Image}: $($check | Out-String)" }
    Write-Host "image: $Image ($(& docker image inspect $Image --format '{{.Size}}') bytes)"
    Measure-SideBySide -Name "Test-DockOptImage -Category Files on $Image (2 paths, one with content)" -Runs $Runs `
        -PeerName "docker run --rm $Image cat /etc/os-release" `
        -DockOpt { Test-DockOptImage $Image -SpecPath $spec -Category Files } `
        -Peer { & docker run --rm $Image cat /etc/os-release } | Format-List

    $alloc = foreach ($i in $SmallImage, $Image) {
        $null = Test-DockOptImage $i -SpecPath $spec -Category Files
        $before = [GC]::GetTotalAllocatedBytes($true)
        $null = Test-DockOptImage $i -SpecPath $spec -Category Files
        [pscustomobject]@{ Image = $i; Files = [int](& docker run --rm --entrypoint /bin/sh $i -c 'find / -xdev 2>/dev/null | wc -l'); AllocatedKiB = [math]::Round(([GC]::GetTotalAllocatedBytes($true) - $before) / 1KB) }
    }
    $alloc | Format-Table -AutoSize
}
finally { Remove-Item $spec -ErrorAction Ignore }
