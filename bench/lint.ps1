<#
.SYNOPSIS
    Benchmark: Test-DockOptDockerfile (warm pwsh session) vs dockerfilelint (npm, one node process) on the same
    generated corpus of Dockerfiles. Alternating runs; prints medians, the ratio and findings per file.
    With -Scaling: times DockOpt alone on single generated Dockerfiles of -SizeMB megabytes (one FROM, then RUN lines)
    and prints seconds per size and the growth against the smallest; linear lint keeps time/size flat.
.EXAMPLE
    dotnet pwsh bench/lint.ps1 -ModulePath ./out/DockOpt/DockOpt.psd1 -Count 240 -Runs 7
.EXAMPLE
    dotnet pwsh bench/lint.ps1 -Scaling -SizeMB 1, 2, 4 -Runs 3
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1'),
    [int] $Count = 240,
    [int] $Runs = 7,
    [int] $Seed = 20261125,
    [string] $PeerDir,
    [switch] $Scaling,
    [string[]] $SizeMB = @('1', '2', '4')   # strings: 'pwsh -File … -SizeMB 1,2,4' passes one string '1,2,4'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$work = Join-Path ([IO.Path]::GetTempPath()) ("dockopt-bench-lint-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
$corpus = Join-Path $work 'corpus'
New-Item -ItemType Directory -Path $corpus -Force | Out-Null
try {

if ($Scaling) {
    # ---- Scaling case: one big Dockerfile per size, DockOpt only (no peer needed to see the growth). ----
    Import-Module $ModulePath -Force
    # Warm-up on the same shape (256 KiB, three times): the timed runs then see compiled (tier-1) code, as a warm
    # session does; a two-line warm-up left the first size timing the JIT instead of the lint.
    $small = Join-Path $work 'warm.Dockerfile'
    $wb = [Text.StringBuilder]::new("FROM alpine:3.19`n")
    for ($n = 0; $wb.Length -lt 256KB; $n++) { $null = $wb.Append("RUN echo line$n && true`n") }
    [IO.File]::WriteAllText($small, $wb.ToString())
    1..3 | ForEach-Object { $null = Test-DockOptDockerfile -Path $small }
    $sizes = @($SizeMB -split ',' | ForEach-Object { [int]$_.Trim() })
    $rows = foreach ($mb in $sizes) {
        $path = Join-Path $work "big-$mb.Dockerfile"
        $sb = [Text.StringBuilder]::new("FROM alpine:3.19`n")
        for ($n = 0; $sb.Length -lt $mb * 1MB; $n++) { $null = $sb.Append("RUN echo line$n && true`n") }
        [IO.File]::WriteAllText($path, $sb.ToString())
        $times = [Collections.Generic.List[double]]::new()
        $count = 0
        for ($r = 0; $r -lt $Runs; $r++) {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $count = @(Test-DockOptDockerfile -Path $path).Count
            $sw.Stop(); $times.Add($sw.Elapsed.TotalSeconds)
        }
        $s = @($times | Sort-Object)
        [pscustomobject]@{ MB = $mb; Instructions = $n + 1; Findings = $count; MedianSeconds = $s[[int][math]::Floor($s.Count / 2)] }
    }
    $base = $rows[0]
    Write-Host ''
    if (Test-Path /proc/loadavg) { Write-Host ("load average (1, 5, 15 min) after the runs: {0}" -f ((Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ', ')) }
    Write-Host ("{0,6} {1,14} {2,10} {3,12} {4,12} {5,10}" -f 'MB', 'instructions', 'findings', 'median s', 's per MB', 'growth')
    foreach ($row in $rows) {
        Write-Host ("{0,6} {1,14:N0} {2,10:N0} {3,12:N2} {4,12:N2} {5,9:N2}x" -f $row.MB, $row.Instructions, $row.Findings, $row.MedianSeconds,
            ($row.MedianSeconds / $row.MB), ($row.MedianSeconds / $base.MedianSeconds))
    }
    Write-Host ("size grew {0}x, time grew {1:N2}x (linear: about {0}x; quadratic: about {2}x)" -f ($rows[-1].MB / $base.MB),
        ($rows[-1].MedianSeconds / $base.MedianSeconds), [math]::Pow($rows[-1].MB / $base.MB, 2))
    return
}

# ---- 1. Generate a varied corpus (classic syntax that both tools parse; deterministic by seed). ----
$rng = [Random]::new($Seed)
function Pick([object[]] $a) { $a[$rng.Next($a.Count)] }
$bases = @('python:3.11', 'python:3.12-slim', 'node:20', 'node:20-slim', 'golang:1.22', 'debian:bookworm', 'debian:bookworm-slim',
    'ubuntu:22.04', 'alpine:3.19', 'alpine', 'ruby:3.3', 'eclipse-temurin:21-jdk', 'nginx:latest', 'registry.example.com/team/base:1.4')
$aptPkgs = @('curl', 'ca-certificates', 'git', 'build-essential', 'gcc', 'libpq-dev', 'jq', 'unzip', 'wget', 'tzdata', 'locales')
for ($i = 0; $i -lt $Count; $i++) {
    $base = Pick $bases
    $lines = [Collections.Generic.List[string]]::new()
    if ($rng.Next(4) -eq 0) { $lines.Add('# syntax=docker/dockerfile:1') }
    $multi = $rng.Next(3) -eq 0
    if ($rng.Next(3) -eq 0) { $lines.Add("ARG VERSION=1.$($rng.Next(9)).$($rng.Next(9))") }
    $lines.Add($(if ($multi) { "FROM $base AS build" } else { "FROM $base" }))
    if ($rng.Next(5) -eq 0) { $lines.Add('MAINTAINER dev@example.com') }
    $lines.Add("LABEL org.opencontainers.image.title=`"svc$i`" version=`"$i`"")
    $lines.Add("ENV APP_HOME=/srv/app$i LANG=C.UTF-8")
    if ($rng.Next(6) -eq 0) { $lines.Add('ENV API_TOKEN=changeme') }
    $lines.Add($(Pick @('WORKDIR /srv/app', 'WORKDIR $APP_HOME', 'WORKDIR app')))
    $pk = @(1..(2 + $rng.Next(4)) | ForEach-Object { Pick $aptPkgs } | Select-Object -Unique)
    if ($base -like 'alpine*') {
        $lines.Add($(Pick @("RUN apk add --no-cache $($pk -join ' ')", "RUN apk update && apk add $($pk -join ' ')")))
    } else {
        switch ($rng.Next(4)) {
            0 { $lines.Add("RUN apt-get update && apt-get install -y --no-install-recommends $($pk -join ' ') && rm -rf /var/lib/apt/lists/*") }
            1 { $lines.Add("RUN apt-get update"); $lines.Add("RUN apt-get install -y $($pk -join ' ')") }
            2 { $lines.Add("RUN apt-get update \"); $lines.Add("    && apt-get install -y \"); foreach ($p in $pk) { $lines.Add("        $p \") }; $lines.Add('    && rm -rf /var/lib/apt/lists/*') }
            3 { $lines.Add("RUN apt-get update && apt-get upgrade -y && apt-get install $($pk -join ' ')") }
        }
    }
    switch -Wildcard ($base) {
        'python*' { if ($rng.Next(2)) { $lines.Add('COPY requirements.txt .'); $lines.Add('RUN pip install -r requirements.txt'); $lines.Add('COPY . .') } else { $lines.Add('COPY . .'); $lines.Add('RUN pip install --no-cache-dir -r requirements.txt') } }
        'node*' { if ($rng.Next(2)) { $lines.Add('COPY package.json package-lock.json ./'); $lines.Add('RUN npm ci'); $lines.Add('COPY . .') } else { $lines.Add('COPY . .'); $lines.Add('RUN npm install') }; $lines.Add('RUN npm run build') }
        'golang*' { $lines.Add('COPY go.mod go.sum ./'); $lines.Add('RUN go mod download'); $lines.Add('COPY . .'); $lines.Add('RUN go build -o /out/app .') }
        default { $lines.Add($(Pick @('ADD . /srv/app', 'COPY . /srv/app', 'ADD https://example.com/tool.tar.gz /tmp/'))) }
    }
    if ($rng.Next(3) -eq 0) { $lines.Add('RUN cd /srv/app && make') }
    if ($rng.Next(4) -eq 0) { $lines.Add('RUN curl -sL https://example.com/install.sh | sh') }
    if ($rng.Next(5) -eq 0) { $lines.Add('RUN chmod +x /srv/app/entrypoint.sh') }
    if ($multi) {
        $lines.Add("FROM $(Pick @('debian:bookworm-slim', 'gcr.io/distroless/base-debian12', 'alpine:3.19', 'scratch'))")
        $lines.Add('COPY --from=build /srv/app /srv/app')
    }
    $lines.Add("EXPOSE $(Pick @('80', '8080/tcp', '443 8443', '3000', '70000'))")
    if ($rng.Next(2)) { $lines.Add($(Pick @('USER app', 'USER 10001', 'USER root'))) }
    if ($rng.Next(3) -eq 0) { $lines.Add('HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1') }
    $lines.Add($(Pick @('CMD ["/srv/app/run"]', 'CMD /srv/app/run --port 80', 'ENTRYPOINT ["/srv/app/run"]', 'CMD python app.py', 'CMD ["npm", "start"]')))
    $name = if ($i % 7 -eq 0) { "svc$i.dockerfile" } else { "svc$i/Dockerfile" }
    $path = Join-Path $corpus $name
    New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
    [IO.File]::WriteAllText($path, ($lines -join "`n") + "`n")
}
$files = @(Get-ChildItem -Path $corpus -Recurse -File | ForEach-Object FullName | Sort-Object)
Write-Host "Corpus: $($files.Count) Dockerfiles, $([math]::Round(($files | ForEach-Object { (Get-Item $_).Length } | Measure-Object -Sum).Sum / 1KB, 1)) KiB"

# ---- 2. The peer: dockerfilelint from npm, installed under a temp dir (not committed). ----
if (-not $PeerDir) {
    $PeerDir = Join-Path $work 'peer'
    New-Item -ItemType Directory -Path $PeerDir | Out-Null
    Write-Host 'Installing dockerfilelint with npm...'
    & npm install --prefix $PeerDir --no-audit --no-fund --silent dockerfilelint 2>&1 | Out-Null
}
$peerBin = Join-Path $PeerDir 'node_modules/dockerfilelint/bin/dockerfilelint'
if (-not (Test-Path $peerBin)) { throw "dockerfilelint not found at $peerBin (npm install failed?)" }
$peerVersion = (Get-Content (Join-Path $PeerDir 'node_modules/dockerfilelint/package.json') -Raw | ConvertFrom-Json).version
$node = (Get-Command node).Source

# ---- 3. DockOpt in this (warm) session. ----
Import-Module $ModulePath -Force
$null = Test-DockOptDockerfile -Path $corpus   # warm-up (JIT, config discovery code paths)

function Invoke-DockOpt { @(Test-DockOptDockerfile -Path $corpus) }
# dockerfilelint ends with process.exit(<issue count>), which truncates a piped stdout at 64 KiB: let the shell
# write its JSON to a file (synchronous writes), as a CI step redirecting to a report would.
$peerOut = Join-Path $work 'peer.json'
function Invoke-Peer {
    & /bin/sh -c 'out="$1"; shift; exec "$@" > "$out" 2>/dev/null' sh $peerOut $node $peerBin -o json @files
    return [IO.File]::ReadAllText($peerOut)
}

$dockopt = [Collections.Generic.List[double]]::new()
$peer = [Collections.Generic.List[double]]::new()
$dFindings = $null; $pJson = $null
for ($r = 0; $r -lt $Runs; $r++) {
    $order = if ($r % 2 -eq 0) { 'd', 'p' } else { 'p', 'd' }
    foreach ($o in $order) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        if ($o -eq 'd') { $dFindings = Invoke-DockOpt; $sw.Stop(); $dockopt.Add($sw.Elapsed.TotalMilliseconds) }
        else { $pJson = Invoke-Peer; $sw.Stop(); $peer.Add($sw.Elapsed.TotalMilliseconds) }
    }
}
function Median($xs) { $s = @($xs | Sort-Object); if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

$p = $pJson | ConvertFrom-Json
$peerIssues = ($p.files | ForEach-Object { $_.issues_count } | Measure-Object -Sum).Sum
$peerFiles = @($p.files).Count
$dFiles = @($dFindings | ForEach-Object Path | Sort-Object -Unique).Count
$dm = Median $dockopt; $pm = Median $peer

Write-Host ''
Write-Host ("{0,-34} {1,12} {2,12}" -f '', 'DockOpt', "dockerfilelint $peerVersion")
Write-Host ("{0,-34} {1,12:N0} {2,12:N0}" -f "median ms for $($files.Count) files ($Runs runs)", $dm, $pm)
Write-Host ("{0,-34} {1,12:N2} {2,12:N2}" -f 'ms per file', ($dm / $files.Count), ($pm / $files.Count))
Write-Host ("{0,-34} {1,12} {2,12}" -f 'files linted / with findings', "$($files.Count)/$dFiles", "$peerFiles/$(@($p.files | Where-Object issues_count -gt 0).Count)")
Write-Host ("{0,-34} {1,12:N2} {2,12:N2}" -f 'findings per file (all)', ($dFindings.Count / $files.Count), ($peerIssues / $files.Count))
$dws = @($dFindings | Where-Object { $_.Severity -ge [DockOpt.Severity]::Medium }).Count
Write-Host ("{0,-34} {1,12:N2} {2,12}" -f 'findings per file (Warning+Error)', ($dws / $files.Count), '-')
Write-Host ("{0,-34} {1,12} {2,12}" -f 'distinct rules fired', @($dFindings | ForEach-Object RuleId | Sort-Object -Unique).Count, @($p.files.issues | ForEach-Object title | Sort-Object -Unique).Count)
Write-Host ("ratio dockerfilelint/DockOpt (median): {0:N2}x  (>1 means DockOpt is faster)" -f ($pm / $dm))
Write-Host ("DockOpt top rules: {0}" -f (($dFindings | Group-Object RuleId | Sort-Object Count -Descending | Select-Object -First 10 | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ' '))
Write-Host ("dockerfilelint top rules: {0}" -f (($p.files.issues | Group-Object title | Sort-Object Count -Descending | Select-Object -First 10 | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join '; '))
Write-Host ("DockOpt runs ms: {0}" -f (($dockopt | ForEach-Object { [math]::Round($_) }) -join ', '))
Write-Host ("dockerfilelint runs ms: {0}" -f (($peer | ForEach-Object { [math]::Round($_) }) -join ', '))
}
finally {
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
