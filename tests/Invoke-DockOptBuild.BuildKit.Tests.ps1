# Invoke-DockOptBuild with the engine's BuildKit (the default where the engine offers it), against the real engine.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildContextParity.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    $script:work = Join-Path ([IO.Path]::GetTempPath()) ('dockopt-bk-' + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:work | Out-Null
    $script:images = [System.Collections.Generic.List[string]]::new()
    function script:New-Ctx([string] $Name, [hashtable] $Files) {
        $dir = Join-Path $script:work $Name
        foreach ($k in $Files.Keys) {
            $p = Join-Path $dir $k
            New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
            [IO.File]::WriteAllText($p, $Files[$k])
        }
        return $dir
    }
    function script:New-Tag([string] $t = 'test') {
        $name = (New-TestImageName 'h5-bk') + ":$t"
        $script:images.Add($name)
        return $name
    }
    $script:savedBuildKit = $env:DOCKER_BUILDKIT
    $env:DOCKER_BUILDKIT = $null
    $script:apiOk = $false
    if (Test-DockerEngine) { $script:apiOk = [version](& docker version --format '{{.Server.APIVersion}}') -ge [version]'1.39' }
}

AfterAll {
    $env:DOCKER_BUILDKIT = $script:savedBuildKit
    Remove-TestImage $script:images
    if ($script:work -and (Test-Path $script:work)) { Remove-Item -Recurse -Force $script:work }
}

Describe 'Invoke-DockOptBuild with BuildKit' -Tag 'RequiresDocker' {
    It 'uses BuildKit by default and the classic builder on request' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        $dir = New-Ctx 'choose' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`nRUN echo built > /built`n" }
        $bk = Invoke-DockOptBuild -Path $dir -Tag (New-Tag 'bk')
        $bk.Builder | Should -Be 'BuildKit'
        $classic = Invoke-DockOptBuild -Path $dir -Tag (New-Tag 'classic') -Builder Classic
        $classic.Builder | Should -Be 'Classic'
        $classic.Steps[0].Instruction | Should -Match '^FROM dockopt/busybox'
        (& docker run --rm $bk.ImageId cat /built) | Should -Be 'built'
    }

    It 'runs RUN --mount=type=cache|bind|tmpfs|secret|ssh and COPY --chmod, which the classic builder refuses' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        $dir = New-Ctx 'mounts' @{
            'Dockerfile' = @'
FROM dockopt/busybox:latest
RUN --mount=type=cache,target=/cache echo run >> /cache/count && wc -l < /cache/count > /cache-lines
RUN --mount=type=bind,source=bound.txt,target=/mnt/bound.txt cp /mnt/bound.txt /from-bind
RUN --mount=type=tmpfs,target=/scratch echo temp > /scratch/t && mount | grep -c ' /scratch type tmpfs' > /tmpfs-seen && test ! -e /scratch/t.keep
COPY --chmod=755 tool.sh /usr/local/bin/tool
RUN --mount=type=secret,id=token sha256sum /run/secrets/token | cut -c1-64 > /secret-hash && stat -c %a /run/secrets/token > /secret-mode
RUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo agent > /ssh-seen
'@
            'bound.txt' = "bound content`n"
            'tool.sh' = "#!/bin/sh`necho tool`n"
        }
        $secretFile = Join-Path $script:work 'token.txt'
        [IO.File]::WriteAllText($secretFile, 'value-of-the-token')
        $agentDir = Join-Path $script:work 'agent'
        New-Item -ItemType Directory -Path $agentDir | Out-Null
        $sock = Join-Path $agentDir 'agent.sock'
        $agent = Start-Process ssh-agent -ArgumentList '-D', '-a', $sock -PassThru -RedirectStandardOutput (Join-Path $agentDir 'out.txt')
        try {
            for ($i = 0; $i -lt 50 -and -not (Test-Path $sock); $i++) { Start-Sleep -Milliseconds 100 }
            $tag = New-Tag 'mounts'
            $r = Invoke-DockOptBuild -Path $dir -Tag $tag -Secret "id=token,src=$secretFile" -Ssh "default=$sock" -NoCache
        }
        finally { Stop-Process -Id $agent.Id -ErrorAction Ignore }
        $r.Builder | Should -Be 'BuildKit'
        $r.Steps.Count | Should -Be 7
        ($r.Steps | Where-Object Instruction -Match '^COPY --chmod').Line | Should -Be 5
        $expectedHash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes($secretFile))).ToLowerInvariant()
        (& docker run --rm $tag cat /secret-hash) | Should -Be $expectedHash
        (& docker run --rm $tag cat /secret-mode) | Should -Be '400'
        (& docker run --rm $tag cat /from-bind) | Should -Be 'bound content'
        (& docker run --rm $tag cat /tmpfs-seen) | Should -Be '1'
        (& docker run --rm $tag ls /scratch) | Should -BeNullOrEmpty
        (& docker run --rm $tag stat -c %a /usr/local/bin/tool) | Should -Be '755'
        (& docker run --rm $tag cat /ssh-seen) | Should -Be 'agent'
        & docker run --rm $tag test -e /run/secrets/token
        $LASTEXITCODE | Should -Be 1
        # The cache mount outlives the build: the next build (its RUN changed by an argument) sees the first run's line.
        $cacheDir = New-Ctx 'cachemount' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`nARG N`nRUN --mount=type=cache,id=h5-$([guid]::NewGuid().ToString('n')),target=/cache echo run-`$N >> /cache/log && cat /cache/log > /seen`n" }
        $null = Invoke-DockOptBuild -Path $cacheDir -Tag $tag -BuildArg @{ N = '1' }
        $null = Invoke-DockOptBuild -Path $cacheDir -Tag $tag -BuildArg @{ N = '2' }
        (& docker run --rm $tag cat /seen) | Should -Be @('run-1', 'run-2')
        $r.Steps | ForEach-Object { $_.Stage | Should -Be 'stage-0' }
        $r.Steps | ForEach-Object { $_.StartedAt | Should -Not -BeNullOrEmpty }
        # A new context: every file travels once (the bind mount needs the whole context).
        $r.ContextBytes | Should -Be ((Get-ChildItem -File $dir | Measure-Object Length -Sum).Sum)
        $r.ContextEntryCount | Should -Be 3
    }

    It 'RUN --mount=type=ssh reaches the real agent: the keys a client lists inside the build are ssh-add -l''s' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        foreach ($tool in 'ssh-agent', 'ssh-add', 'ssh-keygen') {
            if (-not (Get-Command $tool -ErrorAction Ignore)) { Set-ItResult -Skipped -Because "no $tool (OpenSSH client)"; return }
        }
        $null = & docker image inspect dockopt/golang:bookworm 2>$null
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'no dockopt/golang:bookworm base (build.ps1 Bootstrap makes it) to compile the agent client'; return }
        # busybox has no ssh-add and its nc no unix sockets: a static agent-protocol client (RFC draft-miller-ssh-agent,
        # SSH_AGENTC_REQUEST_IDENTITIES) is compiled in a first stage and run in the RUN step through the forwarded socket.
        $dir = New-Ctx 'sshagent' @{
            'agentlist.go' = @'
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	c, err := net.Dial("unix", os.Getenv("SSH_AUTH_SOCK"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	c.Write([]byte{0, 0, 0, 1, 11}) // SSH_AGENTC_REQUEST_IDENTITIES
	var n uint32
	if err := binary.Read(c, binary.BigEndian, &n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil || b[0] != 12 { // SSH_AGENT_IDENTITIES_ANSWER
		fmt.Fprintln(os.Stderr, "unexpected answer", err)
		os.Exit(2)
	}
	count := binary.BigEndian.Uint32(b[1:5])
	p := b[5:]
	next := func() []byte {
		l := binary.BigEndian.Uint32(p[:4])
		s := p[4 : 4+l]
		p = p[4+l:]
		return s
	}
	for i := uint32(0); i < count; i++ {
		blob := next()
		comment := next()
		sum := sha256.Sum256(blob)
		fmt.Printf("SHA256:%s %s\n", base64.RawStdEncoding.EncodeToString(sum[:]), comment)
	}
}
'@
            'Dockerfile' = @'
FROM dockopt/golang:bookworm AS client
COPY agentlist.go /src/agentlist.go
RUN cd /src && CGO_ENABLED=0 GOCACHE=/tmp/gocache go build -o /agentlist agentlist.go

FROM dockopt/busybox:latest
COPY --from=client /agentlist /usr/local/bin/agentlist
RUN --mount=type=ssh /usr/local/bin/agentlist > /agent-keys
'@
        }
        $agentDir = Join-Path $script:work 'agent2'
        New-Item -ItemType Directory -Path $agentDir | Out-Null
        $sock = Join-Path $agentDir 'agent.sock'
        $comment = 'dockopt-bk-ssh-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $out = & ssh-keygen -q -t ed25519 -N '' -C $comment -f (Join-Path $agentDir 'id') 2>&1
        if ($LASTEXITCODE -ne 0) { throw "ssh-keygen failed: $out" }
        $agent = Start-Process ssh-agent -ArgumentList '-D', '-a', $sock -PassThru -RedirectStandardOutput (Join-Path $agentDir 'out.txt')
        $savedSock = $env:SSH_AUTH_SOCK
        try {
            for ($i = 0; $i -lt 50 -and -not (Test-Path $sock); $i++) { Start-Sleep -Milliseconds 100 }
            $env:SSH_AUTH_SOCK = $sock
            $out = & ssh-add (Join-Path $agentDir 'id') 2>&1
            if ($LASTEXITCODE -ne 0) { throw "ssh-add failed: $out" }
            $listed = @(& ssh-add -l)   # "256 SHA256:… comment (ED25519)"
            $tag = New-Tag 'sshagent'
            $r = Invoke-DockOptBuild -Path $dir -Tag $tag -Ssh default -NoCache
        }
        finally {
            $env:SSH_AUTH_SOCK = $savedSock
            Stop-Process -Id $agent.Id -ErrorAction Ignore
        }
        $r.Builder | Should -Be 'BuildKit'
        $listed.Count | Should -Be 1
        $inside = @(& docker run --rm $tag cat /agent-keys)
        $inside | Should -Be @((($listed[0] -split ' ')[1..2]) -join ' ')
        $inside[0] | Should -Match ([regex]::Escape($comment))
    }

    It 'leaves no trace of a secret in the image, its history, the history file, the result or any stream' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        $value = 'sEcReT-' + [guid]::NewGuid().ToString('n')
        $secretFile = Join-Path $script:work 'trace-secret.txt'
        [IO.File]::WriteAllText($secretFile, $value)
        $env:H5_SECRET_ENV = $value
        $dir = New-Ctx 'trace' @{
            'Dockerfile' = "FROM dockopt/busybox:latest`nRUN --mount=type=secret,id=f cat /run/secrets/f | wc -c`nRUN --mount=type=secret,id=e wc -c < /run/secrets/e > /len`n"
        }
        $history = Join-Path $script:work 'history.jsonl'
        $tag = New-Tag 'trace'
        try {
            $all = & {
                Invoke-DockOptBuild -Path $dir -Tag $tag -Secret "id=f,src=$secretFile", 'id=e,env=H5_SECRET_ENV' -HistoryPath $history -NoCache -Verbose -Debug 6>&1 5>&1 4>&1 3>&1 2>&1
            } *>&1
        }
        finally { Remove-Item Env:H5_SECRET_ENV }
        $result = $all | Where-Object { $_ -is [DockOpt.BuildResult] }
        $result | Should -Not -BeNullOrEmpty
        (& docker run --rm $tag cat /len) | Should -Be ([string]$value.Length)
        $streams = ($all | ForEach-Object { if ($_ -is [System.Management.Automation.InformationRecord]) { $_.MessageData } else { "$_" } }) -join "`n"
        $streams | Should -Not -Match $value
        ($result | ConvertTo-Json -Depth 6) | Should -Not -Match $value
        Get-Content -Raw $history | Should -Not -Match $value
        (& docker history --no-trunc $tag) -join "`n" | Should -Not -Match $value
        $save = Join-Path $script:work 'trace.tar'
        & docker save -o $save $tag
        $bytes = [IO.File]::ReadAllBytes($save)
        $text = [Text.Encoding]::Latin1.GetString($bytes)
        $text.Contains($value) | Should -BeFalse
    }

    It 'builds only the stages -Target needs, with the automatic platform arguments' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        $dir = New-Ctx 'target' @{
            'Dockerfile' = @'
FROM dockopt/busybox:latest AS broken
RUN exit 3
FROM dockopt/busybox:latest AS wanted
ARG TARGETPLATFORM
ARG TARGETARCH
ARG BUILDPLATFORM
ARG TARGETOS
RUN echo "$TARGETPLATFORM $TARGETOS $TARGETARCH $BUILDPLATFORM" > /platform
FROM wanted AS last
RUN exit 4
'@
        }
        $tag = New-Tag 'target'
        $r = Invoke-DockOptBuild -Path $dir -Tag $tag -Target wanted -Platform linux/amd64 -NoCache -Label @{ team = 'ops' } -BuildArg @{ UNUSED = 'x' }
        (& docker run --rm $tag cat /platform) | Should -Be 'linux/amd64 linux amd64 linux/amd64'
        (& docker image inspect $tag --format '{{ index .Config.Labels "team" }}') | Should -Be 'ops'
        $r.BuildArgNames | Should -Be @('UNUSED')
        $r.Steps.Stage | Sort-Object -Unique | Should -Be @('wanted')
        ($r.Steps | Where-Object Instruction -Match '^RUN').Line | Should -Be 8
        $r.Target | Should -Be 'wanted'
    }

    It 'fails a step with BuildStepFailed naming the step, instruction, line, exit code and the last 20 output lines' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        $dir = New-Ctx 'fail' @{ 'Dockerfile' = "FROM dockopt/busybox:latest AS b`nRUN echo ok`nRUN for i in `$(seq 1 30); do echo line-`$i; done; exit 7`n" }
        $err = $null
        Invoke-DockOptBuild -Path $dir -Tag (New-Tag 'fail') -NoCache -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err | Should -Not -BeNullOrEmpty
        $e = $err[0].Exception
        $err[0].FullyQualifiedErrorId | Should -Match '^BuildStepFailed'
        $e.ExitCode | Should -Be 7
        $e.Line | Should -Be 3
        $e.Instruction | Should -Match '^RUN for i'
        $e.OutputTail.Count | Should -Be 20
        $e.OutputTail[-1] | Should -Be 'line-30'
        $e.Message | Should -Match 'exit code 7'
    }

    It 'stops on Ctrl+C (StopProcessing): the solve is cancelled and its RUN process ends' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        if (-not (Test-Path /proc)) { Set-ItResult -Skipped -Because 'needs /proc to see the step process on this host'; return }
        $marker = 'h5-stop-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        # A command after the sleep keeps the shell (whose arguments carry the marker) alive.
        $dir = New-Ctx 'stop' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`nRUN echo $marker && sleep 60 && echo done`n" }
        function Get-MarkerProcess { @(& ps -eo args | Where-Object { $_ -match $marker -and $_ -notmatch 'ps -eo' }) }
        $ps = [powershell]::Create()
        try {
            # One script, not a batch of statements: a stopped batch goes on to report on a pool thread after Dispose.
            $null = $ps.AddScript("Import-Module '$((Get-Module DockOpt).Path)'; Invoke-DockOptBuild -Path '$dir' -NoCache -Builder BuildKit")
            $handle = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            do { Start-Sleep -Milliseconds 250; $running = Get-MarkerProcess } until ($running -or [datetime]::UtcNow -gt $deadline)
            $running | Should -Not -BeNullOrEmpty -Because 'the RUN step should have started'
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            try { $null = $ps.EndInvoke($handle) } catch { }   # let the invocation finish before the runspace is disposed
        }
        finally { $ps.Dispose() }
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        do { $left = Get-MarkerProcess; if ($left) { Start-Sleep -Milliseconds 500 } } while ($left -and [datetime]::UtcNow -lt $deadline)
        $left | Should -BeNullOrEmpty
    }

    It 'names the feature, line and fix for a heredoc, and rejects cache exporters the engine cannot do' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        $dir = New-Ctx 'heredoc' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`nRUN <<EOF`necho hi`nEOF`n" }
        $err = $null
        Invoke-DockOptBuild -Path $dir -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Match '^BuildKitFeatureUnsupported'
        $err[0].Exception.Message | Should -Match 'Dockerfile:2'
        $err[0].Exception.Message | Should -Match 'heredoc'
        $err[0].Exception.RecommendedAction | Should -Match 'syntax=docker/dockerfile:1.4'

        $dir2 = New-Ctx 'exporter' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`n" }
        Invoke-DockOptBuild -Path $dir2 -CacheTo 'type=registry,ref=localhost:5000/x:cache' -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Match '^BuildCacheExporterUnsupported'
        Invoke-DockOptBuild -Path $dir2 -Builder BuildKit -Secret 'id=x' -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Match '^BuildSecretInvalid'

        # A '# syntax=' frontend the engine cannot pull (this machine is offline): the error names the directive's line and the fix.
        $dir3 = New-Ctx 'syntax' @{ 'Dockerfile' = "# syntax=docker/dockerfile:1.4`nFROM dockopt/busybox:latest`n" }
        $err = $null
        $built = Invoke-DockOptBuild -Path $dir3 -ErrorVariable err -ErrorAction SilentlyContinue
        if ($built) { Set-ItResult -Inconclusive -Because 'the engine could pull docker/dockerfile:1.4 (online)'; return }
        $err[0].FullyQualifiedErrorId | Should -Match '^BuildFrontendUnavailable'
        $err[0].Exception.Message | Should -Match 'Dockerfile:1'
        $err[0].Exception.RecommendedAction | Should -Match "Remove the '# syntax=' line"
    }

    It 'round-trips inline cache through a registry into cache hits (-CacheTo inline, -CacheFrom)' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        $registry = if ($env:DOCKOPT_REGISTRY_PORT) { "127.0.0.1:$($env:DOCKOPT_REGISTRY_PORT)" } else { '127.0.0.1:5000' }
        try { $null = Invoke-WebRequest "http://$registry/v2/" -TimeoutSec 3 } catch { Set-ItResult -Skipped -Because "no registry at $registry (Bootstrap starts one)"; return }
        $dir = New-Ctx 'inline' @{ 'Dockerfile' = "FROM dockopt/busybox:latest`nRUN echo $([guid]::NewGuid()) > /id`nCOPY f.txt /f.txt`n"; 'f.txt' = "f`n" }
        $ref = "$registry/h5-bk-inline:$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $first = Invoke-DockOptBuild -Path $dir -Tag $ref -CacheTo inline
        $first.CacheHits | Should -Be 0
        & docker push $ref 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        & docker rmi $ref 2>&1 | Out-Null
        & docker builder prune -af 2>&1 | Out-Null
        $second = Invoke-DockOptBuild -Path $dir -Tag (New-Tag 'inline') -CacheFrom $ref
        ($second.Steps | Where-Object Instruction -Match '^RUN').Cached | Should -BeTrue
        ($second.Steps | Where-Object Instruction -Match '^COPY').Cached | Should -BeTrue
        $second.CacheHits | Should -BeGreaterOrEqual 2
    }
}

Describe 'Invoke-DockOptBuild with BuildKit: parity with DOCKER_BUILDKIT=1 docker build' -Tag 'RequiresDocker' {
    It 'gives the same last-layer entries and image config as the docker CLI 20.10 BuildKit client' {
        if (-not $script:apiOk) { Set-ItResult -Skipped -Because 'no engine with BuildKit'; return }
        if (-not (Test-Path /usr/bin/docker)) { Set-ItResult -Skipped -Because 'no /usr/bin/docker (the 20.10 CLI with its built-in BuildKit client)'; return }
        $evr = Join-Path $script:work 'every-rule'
        New-EveryRuleContext -Root $evr
        $cliTag = New-Tag 'cli'
        $doTag = New-Tag 'dockopt'
        $env:DOCKER_BUILDKIT = '1'
        try { $null = & /usr/bin/docker build --no-cache -q -t $cliTag $evr 2>&1 }
        finally { $env:DOCKER_BUILDKIT = $null }
        $LASTEXITCODE | Should -Be 0
        $r = Invoke-DockOptBuild -Path $evr -NoCache -Tag $doTag -Builder BuildKit
        $r.Builder | Should -Be 'BuildKit'
        $cli = @(Get-LastLayerEntry $cliTag | Sort-Object Path)
        $ours = @(Get-LastLayerEntry $doTag | Sort-Object Path)
        $cli.Count | Should -BeGreaterThan 30
        @($ours.Path) | Should -Be @($cli.Path)
        for ($i = 0; $i -lt $cli.Count; $i++) {
            foreach ($p in 'Type', 'Mode', 'Owner', 'Size', 'Link', 'Hash') { $ours[$i].$p | Should -Be $cli[$i].$p -Because "$($cli[$i].Path) $p" }
        }
        $paths = @($cli.Path)
        $paths | Should -Contain 'ctx/src/deep/keep.pyc'
        $paths | Should -Not -Contain 'ctx/src/a.pyc'
        $cliConfig = (& docker image inspect $cliTag | ConvertFrom-Json)[0].Config | ConvertTo-Json -Depth 6
        $ourConfig = (& docker image inspect $doTag | ConvertFrom-Json)[0].Config | ConvertTo-Json -Depth 6
        $ourConfig | Should -Be $cliConfig
    }
}
