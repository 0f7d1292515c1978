<#
.SYNOPSIS
    Makes this machine ready for DockOpt's tests, demo and benchmarks. Idempotent.
.DESCRIPTION
    1. A Docker engine: if none answers (DOCKER_HOST, the current context or the default socket) and this is a
       Debian-like machine and we are root, install Debian's docker.io, start dockerd (overlay2) in the background
       and wait until it answers. A machine with a working engine gets nothing installed system-wide.
    2. A registry for the publish tests: Debian's docker-registry binary (started by the tests themselves).
    3. Local base images, since no public registry can be reached here (each skipped when it exists):
         dockopt/busybox:latest            busybox-static, imported (about 2 MB)
         dockopt/debian:bookworm           debootstrap --variant=minbase, imported (as debian:bookworm)
         dockopt/debian:bookworm-slim      the same tree slimmed as Debian's official slim images: dpkg path
                                           excludes for docs, man, info, locales..., no apt lists or caches
         dockopt/python:3.11-slim          slim + python3 (runtime only)
         dockopt/python:3.11               debian + python3-dev, build-essential, git, curl... (the "full" fat base,
                                           on the non-slim Debian as python:3.11 is on buildpack-deps)
         dockopt/golang:bookworm           debian + golang-go, build-essential (a compiler toolchain base)
       The Debian mirror comes from this machine's apt sources. Each Debian-based image is labelled
       org.dockopt.recipe=<sha256 of its recipe> and rebuilt when its recipe (or its parent's) changed.
#>
[CmdletBinding()]
param(
    [switch] $SkipBaseImages,
    # The repository namespace of the base images (dockopt/...). Another namespace builds a parallel set, e.g. to
    # measure a changed recipe before the real names are switched.
    [ValidatePattern('^[a-z0-9][a-z0-9._-]*$')]
    [string] $BaseNamespace = 'dockopt'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$total = [Diagnostics.Stopwatch]::StartNew()

function Say([string] $m) { Write-Host "    $m" }

function Test-Engine {
    $null = & docker version --format '{{.Server.APIVersion}}' 2>$null
    return $LASTEXITCODE -eq 0
}

function Test-Root { return (& id -u) -eq '0' }

function Test-DebianLike { return (Test-Path /etc/debian_version) -and (Get-Command apt-get -ErrorAction Ignore) }

$aptUpdated = $false
function Install-AptPackage([string[]] $Packages) {
    $missing = @($Packages | Where-Object { -not (& dpkg-query -W -f '${Status}' $_ 2>$null | Select-String -Quiet 'install ok installed') })
    if ($missing.Count -eq 0) { return }
    if (-not ((Test-DebianLike) -and (Test-Root))) {
        throw "Missing packages: $($missing -join ', '). Install them (Debian: apt-get install $($missing -join ' ')) or run as root on a Debian-like machine."
    }
    $sw = [Diagnostics.Stopwatch]::StartNew()
    if (-not $script:aptUpdated) {
        & apt-get update -qq 2>&1 | Out-Null
        $script:aptUpdated = $true
    }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    # With recommends, as docker.io was installed and tested here (pigz, apparmor, iptables helpers...).
    & apt-get install -y -qq @missing 2>&1 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "apt-get install $($missing -join ' ') failed." }
    Say "installed $($missing -join ', ') in $([math]::Round($sw.Elapsed.TotalSeconds)) s"
}

# 1. Docker engine ---------------------------------------------------------------------------------------------
if (-not (Get-Command docker -ErrorAction Ignore) -or -not (Test-Engine)) {
    if (-not (Get-Command dockerd -ErrorAction Ignore)) {
        Install-AptPackage @('docker.io')
    }
    if (-not (Test-Engine)) {
        if (-not (Test-Root)) { throw 'No Docker engine answers and this user cannot start one. Start dockerd, or set DOCKER_HOST.' }
        if ($env:DOCKER_HOST -and $env:DOCKER_HOST -ne 'unix:///var/run/docker.sock') {
            throw "DOCKER_HOST is '$env:DOCKER_HOST' but no engine answers there. Start it, or unset DOCKER_HOST to use a local engine."
        }
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $log = '/var/log/dockopt-dockerd.log'
        # setsid: dockerd outlives this script and the test process.
        # The shell redirects at the descriptor level, so no pipe of ours stays open in the daemon.
        & sh -c "cd / && setsid -f dockerd --storage-driver overlay2 --host unix:///var/run/docker.sock > '$log' 2>&1 < /dev/null"
        $deadline = (Get-Date).AddSeconds(60)
        while (-not (Test-Engine)) {
            if ((Get-Date) -gt $deadline) { throw "dockerd did not answer within 60 s; see $log." }
            Start-Sleep -Milliseconds 300
        }
        Say "started dockerd in $([math]::Round($sw.Elapsed.TotalSeconds, 1)) s (log: $log)"
    }
}
Say "Docker engine: $(& docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"

# 2. Registry binary --------------------------------------------------------------------------------------------
if (-not (Get-Command docker-registry -ErrorAction Ignore) -and (Test-DebianLike) -and (Test-Root)) {
    Install-AptPackage @('docker-registry')
    # The package starts a system registry on :5000; the tests start their own on free loopback ports.
    & systemctl stop docker-registry 2>$null | Out-Null
}
# htpasswd (apache2-utils) for the registry basic-auth tests; socat for the engine-over-TLS test; chromium for the
# report's rendering tests; rpm (rpmbuild) for the rpm database tests; tini (tini-static) for the init-as-PID-1 test;
# binutils (objcopy) for the cargo-auditable test; shellcheck as the shell-analysis oracle (never a run-time dependency).
if ((Test-DebianLike) -and (Test-Root)) {
    $tools = @()
    if (-not (Get-Command htpasswd -ErrorAction Ignore)) { $tools += 'apache2-utils' }
    if (-not (Get-Command socat -ErrorAction Ignore)) { $tools += 'socat' }
    if (-not (Get-Command chromium -ErrorAction Ignore)) { $tools += 'chromium' }
    if (-not (Get-Command rpmbuild -ErrorAction Ignore)) { $tools += 'rpm' }
    if (-not (Test-Path /usr/bin/tini-static)) { $tools += 'tini' }
    if (-not (Get-Command objcopy -ErrorAction Ignore)) { $tools += 'binutils' }
    if (-not (Get-Command shellcheck -ErrorAction Ignore)) { $tools += 'shellcheck' }
    if ($tools) { Install-AptPackage $tools }
}
if (Get-Command docker-registry -ErrorAction Ignore) {
    # A local registry on 127.0.0.1:5000 for the demo and for users (the publish tests start their own, with auth/TLS).
    $port = if ($env:DOCKOPT_REGISTRY_PORT) { [int]$env:DOCKOPT_REGISTRY_PORT } else { 5000 }
    $probe = [System.Net.Sockets.TcpClient]::new()
    $listening = $false
    try { $probe.Connect('127.0.0.1', $port); $listening = $true } catch { } finally { $probe.Dispose() }
    if ($listening) { Say "registry: something already listens on 127.0.0.1:$port" }
    else {
        $stateDir = if (Test-Root) { '/var/lib/dockopt/registry' } else { Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'dockopt/registry' }
        New-Item -ItemType Directory -Force -Path (Join-Path $stateDir 'data') | Out-Null
        $cfg = Join-Path $stateDir 'config.yml'
        @"
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $(Join-Path $stateDir 'data')
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
"@ | Set-Content -Path $cfg
        & sh -c "cd / && setsid -f docker-registry serve '$cfg' > '$(Join-Path $stateDir 'registry.log')' 2>&1 < /dev/null"
        $deadline = (Get-Date).AddSeconds(15)
        do {
            Start-Sleep -Milliseconds 200
            $probe = [System.Net.Sockets.TcpClient]::new()
            try { $probe.Connect('127.0.0.1', $port); $listening = $true } catch { } finally { $probe.Dispose() }
        } until ($listening -or (Get-Date) -gt $deadline)
        if ($listening) { Say "registry: started on 127.0.0.1:$port (storage $stateDir)" }
        else { Say "registry: did not start on 127.0.0.1:$port; see $(Join-Path $stateDir 'registry.log')" }
    }
}
else { Say 'registry: docker-registry not installed (publish tests will skip)' }

# 2b. Podman's Docker-compatible service (tests/Podman.Tests.ps1), sshd for the ssh:// engine tests, skopeo for the archive tests -----------
# (tests/EngineSsh.Tests.ps1 starts its own sshd on a free port; only the package is installed here.)
if ((Test-DebianLike) -and (Test-Root)) {
    $tools = @()
    if (-not (Get-Command podman -ErrorAction Ignore)) { $tools += 'podman' }
    if (-not (Test-Path /usr/sbin/sshd)) { $tools += 'openssh-server' }
    if (-not (Get-Command skopeo -ErrorAction Ignore)) { $tools += 'skopeo' }   # writes the zstd and platform-index cases
    if ($tools) { Install-AptPackage $tools }
}
$podmanSocket = if ($env:DOCKOPT_PODMAN_SOCKET) { $env:DOCKOPT_PODMAN_SOCKET } else { '/run/dockopt-podman.sock' }
if ((Get-Command podman -ErrorAction Ignore) -and (Test-Root)) {
    $answers = $false
    if (Test-Path $podmanSocket) {
        $null = & curl -sf --max-time 5 --unix-socket $podmanSocket http://podman/_ping 2>$null
        $answers = $LASTEXITCODE -eq 0
    }
    if ($answers) { Say "podman: service answers on unix://$podmanSocket" }
    else {
        $stateDir = '/var/lib/dockopt/podman'
        New-Item -ItemType Directory -Force -Path $stateDir | Out-Null
        # Rootful Podman gives containers RLIMIT_NOFILE/NPROC of 1048576 (or the host's hard limit with --ulimit host);
        # in a container without CAP_SYS_RESOURCE runc cannot set those and every start fails "error setting rlimit type 7".
        # Limits under this shell's hard limits (nproc at most 32768, which such kernels accept) let containers start.
        $limits = Get-Content /proc/self/limits
        function Get-HardLimit([string] $Name, [int64] $Default) {
            $line = $limits | Where-Object { $_ -like "$Name *" } | Select-Object -First 1
            $hard = if ($line) { ($line.Substring($Name.Length).Trim() -split '\s+')[1] } else { $null }
            if ($hard -match '^\d+$') { return [int64]$hard } else { return $Default }
        }
        $nofile = [math]::Min((Get-HardLimit 'Max open files' 1048576), 1048576)
        $nproc = [math]::Min((Get-HardLimit 'Max processes' 32768), 32768)
        $conf = Join-Path $stateDir 'containers.conf'
        "[containers]`ndefault_ulimits = [`"nofile=${nofile}:${nofile}`", `"nproc=${nproc}:${nproc}`"]`n" | Set-Content -Path $conf -NoNewline
        Remove-Item -Force $podmanSocket -ErrorAction Ignore
        # From '/': conmon needs the service's working directory, and a checkout it was started in may be deleted later
        # ('[conmon:e] Failed to get working directory', every container start then answers 500 'write child: broken pipe').
        & sh -c "cd / && CONTAINERS_CONF='$conf' setsid -f podman system service --time=0 'unix://$podmanSocket' > '$(Join-Path $stateDir 'service.log')' 2>&1 < /dev/null"
        $deadline = (Get-Date).AddSeconds(20)
        do {
            Start-Sleep -Milliseconds 300
            $null = & curl -sf --max-time 2 --unix-socket $podmanSocket http://podman/_ping 2>$null
            $answers = $LASTEXITCODE -eq 0
        } until ($answers -or (Get-Date) -gt $deadline)
        if ($answers) { Say "podman: service started on unix://$podmanSocket (config $conf)" }
        else { Say "podman: the service did not answer on unix://$podmanSocket; see $(Join-Path $stateDir 'service.log')" }
    }
}
elseif (-not (Get-Command podman -ErrorAction Ignore)) { Say 'podman: not installed (Podman tests will skip, or fail under CI=true)' }

if ($SkipBaseImages) { return }

# 3. Base images ------------------------------------------------------------------------------------------------
function Test-Image([string] $Name) {
    $null = & docker image inspect $Name 2>$null
    return $LASTEXITCODE -eq 0
}

function Get-DebianMirror {
    $files = @(Get-ChildItem /etc/apt/sources.list.d -Filter *.sources -ErrorAction Ignore) + @(Get-Item /etc/apt/sources.list -ErrorAction Ignore) | Where-Object { $_ }
    foreach ($f in $files) {
        $text = Get-Content -Raw $f.FullName
        if ($f.Extension -eq '.sources') {
            foreach ($block in $text -split "(\r?\n){2,}") {
                if ($block -match '(?m)^Suites:.*\bbookworm\b' -and $block -notmatch '(?m)^Suites:.*security' -and $block -match '(?m)^URIs:\s*(\S+)') { return $Matches[1] }
            }
        }
        else {
            foreach ($line in $text -split "`n") {
                if ($line -match '^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s') { return $Matches[1] }
            }
        }
    }
    throw 'No Debian bookworm mirror found in /etc/apt/sources.list(.d). Add one, or create the dockopt/debian:bookworm-slim image yourself.'
}

$built = @()
if (-not (Test-Image "$BaseNamespace/busybox:latest")) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Install-AptPackage @('busybox-static')
    $dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-busybox-$PID"
    New-Item -ItemType Directory -Force -Path "$dir/bin", "$dir/tmp", "$dir/etc", "$dir/root" | Out-Null
    Copy-Item /bin/busybox "$dir/bin/busybox"
    foreach ($applet in (& /bin/busybox --list)) {
        if ($applet -ne 'busybox') { & ln -sf busybox "$dir/bin/$applet" }
    }
    "root:x:0:0:root:/root:/bin/sh`nnobody:x:65534:65534:nobody:/:/bin/false" | Set-Content "$dir/etc/passwd"
    "root:x:0:`nnogroup:x:65534:" | Set-Content "$dir/etc/group"
    & chmod 1777 "$dir/tmp"
    & tar -C $dir -c . | & docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$BaseNamespace/busybox:latest" | Out-Null
    Remove-Item -Recurse -Force $dir
    Say "created $BaseNamespace/busybox:latest in $([math]::Round($sw.Elapsed.TotalSeconds, 1)) s"
    $built += "$BaseNamespace/busybox:latest"
}

# Each Debian-based image carries org.dockopt.recipe = sha256 of its recipe (for derived images: of the Dockerfile
# and the parent's recipe hash), and is rebuilt when the hash differs, so machines with older bases converge.
$RecipeLabel = 'org.dockopt.recipe'
function Get-TextHash([string] $Text) {
    $bytes = [Text.Encoding]::UTF8.GetBytes(($Text -replace "`r`n", "`n"))
    return [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes)).ToLowerInvariant()
}
function Get-RecipeLabel([string] $Name) {
    $v = & docker image inspect --format "{{ index .Config.Labels `"$RecipeLabel`" }}" $Name 2>$null
    if ($LASTEXITCODE -ne 0) { return $null }
    return "$v".Trim()
}
function Test-Current([string] $Name, [string] $Hash) {
    $have = Get-RecipeLabel $Name
    if ($null -eq $have) { return $false }
    if ($have -ne $Hash) { Say "$Name was built from another recipe ($(if ($have -and $have -ne '<no value>') { $have.Substring(0, [Math]::Min(12, $have.Length)) } else { 'no recipe label' })); rebuilding"; return $false }
    return $true
}

# The slim variant is made as Debian's official slim images are (debuerreotype's slimify): a dpkg configuration that
# keeps documentation, manuals, info pages, groff/lintian/linda data and translations out of every package installed
# later (copyright files stay, for legal reasons; the C locale lives in /usr/lib/locale and is untouched), plus the
# removal of what debootstrap already unpacked under those paths. No apt lists, caches or logs are left.
$DpkgSlimConfig = @'
# The "slim" variant of DockOpt's Debian base, as Debian's official slim images: files that are unnecessary in
# containers are excluded, and this file keeps them that way for every package installed later.
path-exclude /usr/share/doc/*
# copyright files stay, for legal reasons
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
'@
# What goes into every image: apt without lists/caches/logs.
$CleanRootfs = @'
rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb "$1"/var/cache/apt/archives/partial/* \
       "$1"/var/log/apt/* "$1"/var/log/dpkg.log "$1"/var/log/bootstrap.log "$1"/var/log/alternatives.log \
       "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old "$1"/tmp/* "$1"/var/tmp/*
'@
$Slimify = @'
root="$1"
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
for d in groff info linda lintian locale man; do rm -rf "$root/usr/share/$d"/*; done
'@
$debianRecipe = "debootstrap --variant=minbase bookworm`n$CleanRootfs`nsources: bookworm, bookworm-updates`nv2"
$debianHash = Get-TextHash $debianRecipe
$slimHash = Get-TextHash "$debianRecipe`n$DpkgSlimConfig`n$Slimify"
$debianName = "$BaseNamespace/debian:bookworm"
$slimName = "$BaseNamespace/debian:bookworm-slim"

$needDebian = -not (Test-Current $debianName $debianHash)
$needSlim = -not (Test-Current $slimName $slimHash)
if ($needDebian -or $needSlim) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Install-AptPackage @('debootstrap')
    $mirror = Get-DebianMirror
    $dir = "/var/tmp/dockopt-debootstrap-$PID"
    Say "debootstrap bookworm (minbase) from $mirror ..."
    & debootstrap --variant=minbase bookworm $dir $mirror 2>&1 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "debootstrap from '$mirror' failed." }
    # apt inside builds uses plain HTTP to the same mirror.
    "deb $mirror bookworm main`ndeb $mirror bookworm-updates main" | Set-Content "$dir/etc/apt/sources.list"
    & sh -c $CleanRootfs sh $dir
    $env_ = 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    if ($needDebian) {
        & tar --numeric-owner -C $dir -c . | & docker import --change 'CMD ["bash"]' --change $env_ --change "LABEL $RecipeLabel=$debianHash" - $debianName | Out-Null
        if ($LASTEXITCODE -ne 0) { throw 'docker import of the debootstrap tree failed.' }
        Say "created $debianName in $([math]::Round($sw.Elapsed.TotalSeconds)) s"
        $built += $debianName
    }
    if ($needSlim) {
        New-Item -ItemType Directory -Force -Path "$dir/etc/dpkg/dpkg.cfg.d" | Out-Null
        Set-Content -Path "$dir/etc/dpkg/dpkg.cfg.d/docker" -Value $DpkgSlimConfig -NoNewline
        & sh -c $Slimify sh $dir
        & tar --numeric-owner -C $dir -c . | & docker import --change 'CMD ["bash"]' --change $env_ --change "LABEL $RecipeLabel=$slimHash" - $slimName | Out-Null
        if ($LASTEXITCODE -ne 0) { throw 'docker import of the slim tree failed.' }
        Say "created $slimName (dpkg path excludes) in $([math]::Round($sw.Elapsed.TotalSeconds)) s"
        $built += $slimName
    }
    & rm -rf $dir
}

# Derived bases: Dockerfiles under build/bases, FROM ${BASE_IMAGE}.
$derived = @(
    @{ Name = "$BaseNamespace/python:3.11-slim"; File = 'python-slim.Dockerfile'; Parent = $slimName }
    @{ Name = "$BaseNamespace/python:3.11"; File = 'python-full.Dockerfile'; Parent = $debianName }
    @{ Name = "$BaseNamespace/golang:bookworm"; File = 'golang.Dockerfile'; Parent = $debianName }
)
foreach ($d in $derived) {
    $file = Join-Path $PSScriptRoot "bases/$($d.File)"
    $hash = Get-TextHash ("$(Get-Content -Raw $file)`nparent:$(Get-RecipeLabel $d.Parent)")
    if (Test-Current $d.Name $hash) { continue }
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Say "building $($d.Name) from $($d.File) ..."
    $env:DOCKER_BUILDKIT = '0'
    $buildOut = & docker build -q -t $d.Name --build-arg "BASE_IMAGE=$($d.Parent)" --label "$RecipeLabel=$hash" -f $file (Join-Path $PSScriptRoot 'bases') 2>&1
    if ($LASTEXITCODE -ne 0) { throw "Building base image $($d.Name) from $file failed: $($buildOut -join "`n")" }
    Say "created $($d.Name) in $([math]::Round($sw.Elapsed.TotalSeconds)) s"
    $built += $d.Name
}

if ($built.Count -eq 0) { Say 'base images: all present' }
Say "bootstrap done in $([math]::Round($total.Elapsed.TotalSeconds, 1)) s"
