# The engine cmdlets against Podman's Docker-compatible service (podman system service, Debian's podman 4.3), started
# by build.ps1 Bootstrap on unix:///run/dockopt-podman.sock (DOCKOPT_PODMAN_SOCKET overrides it). Figures are checked
# against the podman CLI (podman image inspect) and, for the same layers, against dockerd. Without podman the tests
# skip; under CI=true, where Bootstrap provides it, they fail instead.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    $script:socket = if ($env:DOCKOPT_PODMAN_SOCKET) { $env:DOCKOPT_PODMAN_SOCKET } else { '/run/dockopt-podman.sock' }
    $script:engine = "unix://$($script:socket)"
    $script:problem = $null
    if (-not (Get-Command podman -ErrorAction Ignore)) { $script:problem = 'podman is not installed (build.ps1 Bootstrap installs it on Debian as root)' }
    elseif (-not (Test-Path $script:socket)) { $script:problem = "no Podman service on $($script:socket) (build.ps1 Bootstrap starts one)" }
    elseif (-not (Test-DockerEngine)) { $script:problem = 'no Docker engine to take the busybox base from' }
    else {
        $null = & docker image inspect dockopt/busybox:latest 2>$null
        if ($LASTEXITCODE -ne 0) { $script:problem = 'no dockopt/busybox:latest base image in dockerd (build.ps1 Bootstrap makes it)' }
    }
    if ($script:problem -and $env:CI -eq 'true') { throw "Precondition missing under CI=true, where Bootstrap provides Podman: $($script:problem)" }

    function script:PodmanInspect([string] $Name) {
        $json = & podman image inspect --format json $Name 2>&1
        if ($LASTEXITCODE -ne 0) { throw "podman image inspect $Name failed: $json" }
        return (($json -join "`n") | ConvertFrom-Json)[0]
    }

    if (-not $script:problem) {
        $script:work = Join-Path ([IO.Path]::GetTempPath()) ('dockopt-d-podman-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $null = New-Item -ItemType Directory -Path $script:work
        # Podman can't reach Docker Hub: the base travels as a docker save archive.
        $tar = Join-Path $script:work 'busybox.tar'
        & docker save -o $tar dockopt/busybox:latest
        $out = & podman load -i $tar 2>&1
        if ($LASTEXITCODE -ne 0) { throw "podman load failed: $out" }
        $script:base = 'dockopt/busybox:latest'
        $script:ctx = Join-Path $script:work 'ctx'
        $null = New-Item -ItemType Directory -Path $script:ctx
        Set-Content -Path (Join-Path $script:ctx 'Dockerfile') -NoNewline -Value (
            "FROM dockopt/busybox:latest`nRUN echo hello > /hello.txt`nHEALTHCHECK --interval=1s --timeout=3s CMD test -f /hello.txt`nCMD [`"sleep`", `"3600`"]`n")
        $script:tag = 'dockopt-d-podman/app:' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $script:repo = '127.0.0.1:5000/dockopt-d-podman/app-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $script:registry = $false
        try { $script:registry = (Invoke-WebRequest -Uri 'http://127.0.0.1:5000/v2/' -TimeoutSec 5 -SkipHttpErrorCheck).StatusCode -eq 200 } catch { }
    }
}

AfterAll {
    if ($script:tag) { & podman image rm -f $script:tag "$($script:repo):p1" "$($script:repo):p2" *> $null }
    if ($script:work) { Remove-Item -Recurse -Force $script:work -ErrorAction Ignore }
}

Describe 'DockOpt against Podman''s Docker-compatible service' -Tag 'RequiresDocker', 'Podman' {
    Context 'build, inspect, measure, test, scan and publish through -Engine unix:///run/dockopt-podman.sock' {
        It 'Invoke-DockOptBuild builds with the classic path (Podman has no BuildKit) and reads Buildah''s steps' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            $r = Invoke-DockOptBuild -Engine $script:engine -Path $script:ctx -Tag $script:tag
            $p = PodmanInspect $script:tag
            $r.Builder | Should -Be 'Classic'
            $r.ImageId | Should -Be "sha256:$($p.Id)"
            $r.Tags | Should -Be @($script:tag)
            $r.Size | Should -Be $p.Size
            $r.LayerCount | Should -Be $p.RootFS.Layers.Count
            $r.StepCount | Should -Be 4
            $r.Steps.Instruction | Should -Be @('FROM dockopt/busybox:latest', 'RUN echo hello > /hello.txt', 'HEALTHCHECK --interval=1s --timeout=3s CMD test -f /hello.txt', 'CMD ["sleep", "3600"]')
            $r.Steps.Line | Should -Be @(1, 2, 3, 4)
            $again = Invoke-DockOptBuild -Engine $script:engine -Path $script:ctx -Tag $script:tag
            $again.ImageId | Should -Be $r.ImageId
            $again.CacheHits | Should -Be 3
        }

        It 'numbers Buildah''s per-stage steps across a multi-stage Dockerfile as dockerd''s classic builder does' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            $ctx = Join-Path $script:work 'multi'
            $null = New-Item -ItemType Directory -Force -Path $ctx
            Set-Content -Path (Join-Path $ctx 'Dockerfile') -NoNewline -Value (
                "ARG BASE=dockopt/busybox:latest`nFROM `${BASE} AS build`nARG MSG=hi`nRUN echo `$MSG > /msg`nFROM dockopt/busybox:latest`nCOPY --from=build /msg /msg`nCMD [`"cat`", `"/msg`"]`n")
            $tag = 'dockopt-d-podman/multi:' + [guid]::NewGuid().ToString('n').Substring(0, 8)
            try {
                $p = Invoke-DockOptBuild -Engine $script:engine -Path $ctx -Tag $tag -BuildArg @{ MSG = 'via-podman' } -NoCache
                $d = Invoke-DockOptBuild -Path $ctx -Tag $tag -BuildArg @{ MSG = 'via-podman' } -NoCache -Builder Classic
                $p.StepCount | Should -Be $d.StepCount
                # Buildah runs no step for the ARG before the first FROM; every other step has dockerd's number and line.
                $p.Steps.Number | Should -Be @($d.Steps | Select-Object -Skip 1 | ForEach-Object Number)
                $p.Steps.Line | Should -Be @($d.Steps | Select-Object -Skip 1 | ForEach-Object Line)
                $p.Steps[-2].Instruction | Should -Be 'COPY --from=build /msg /msg'
                $p.ImageId | Should -Be "sha256:$((PodmanInspect $tag).Id)"
            }
            finally {
                & podman image rm -f $tag *> $null
                Remove-TestImage $tag
            }
        }

        It '-Builder BuildKit fails with BuildKitUnavailable naming Podman, before sending anything' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            $e = { Invoke-DockOptBuild -Engine $script:engine -Path $script:ctx -Tag $script:tag -Builder BuildKit } | Should -Throw -PassThru
            $e.FullyQualifiedErrorId | Should -BeLike 'BuildKitUnavailable,*'
            $e.Exception.Message | Should -Match 'Podman \d+\.\d+'
        }

        It 'Get-DockOptImage gives podman image inspect''s ID, size, layers and HEALTHCHECK (which Podman''s compat inspect leaves out)' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            $i = Get-DockOptImage -Engine $script:engine -Name $script:tag
            $p = PodmanInspect $script:tag
            $i.Id | Should -Be "sha256:$($p.Id)"
            $i.Size | Should -Be $p.Size
            $i.LayerDiffIds | Should -Be @($p.RootFS.Layers)
            $i.Healthcheck | Should -Not -BeNullOrEmpty
            "$($i.Healthcheck)" | Should -Be ($p.Healthcheck.Test -join ' ')
            $i.Engine | Should -Be $script:engine
        }

        It 'DOCKER_HOST pointing at Podman works as -Engine does' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            $saved = $env:DOCKER_HOST
            try {
                $env:DOCKER_HOST = $script:engine
                $i = Get-DockOptImage -Name $script:tag
            }
            finally { $env:DOCKER_HOST = $saved }
            $i.Id | Should -Be "sha256:$((PodmanInspect $script:tag).Id)"
            $i.Engine | Should -Be $script:engine
        }

        It 'Measure-DockOptImage through Podman''s export gives podman''s ID and layers and dockerd''s figures for the same base' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            try { $m = Measure-DockOptImage -Engine $script:engine -Name $script:base }
            catch {
                # Podman exports with containers/image's docker-archive writer: layers stored as <diff-id>.tar at the
                # archive's root, before manifest.json. Reading them is the archive reader's part (issue 15 item 2).
                if ($_.FullyQualifiedErrorId -like 'ImageArchiveInvalid,*' -and $_.Exception.Message -match 'listed in the manifest but not stored') {
                    Set-ItResult -Inconclusive -Because "the archive reader does not yet take Podman's export ($($_.Exception.Message))"; return
                }
                throw
            }
            $p = PodmanInspect $script:base
            $d = Measure-DockOptImage -Name $script:base
            $m.ImageId | Should -Be "sha256:$($p.Id)"
            $m.LayerCount | Should -Be $p.RootFS.Layers.Count
            $m.TotalSize | Should -Be $d.TotalSize
            $m.FileCount | Should -Be $d.FileCount
            $m.FinalSize | Should -Be $d.FinalSize
        }

        It 'Invoke-DockOptScan through Podman finds what it finds through dockerd for the same image' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            try { $s = Invoke-DockOptScan -Engine $script:engine -Name $script:base -Scanner Secret, Config }
            catch {
                if ($_.FullyQualifiedErrorId -like 'ImageArchiveInvalid,*' -and $_.Exception.Message -match 'listed in the manifest but not stored') {
                    Set-ItResult -Inconclusive -Because "the archive reader does not yet take Podman's export ($($_.Exception.Message))"; return
                }
                throw
            }
            $d = Invoke-DockOptScan -Name $script:base -Scanner Secret, Config
            $s.ImageId | Should -Be "sha256:$((PodmanInspect $script:base).Id)"
            @($s.Findings | ForEach-Object { "$_" }) | Should -Be @($d.Findings | ForEach-Object { "$_" })
            $s.ConfigCount | Should -Be $d.ConfigCount
        }

        It 'Test-DockOptImage starts the container, sees the HEALTHCHECK and waits until healthy (Podman runs no checks without systemd)' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            $r = Test-DockOptImage -Engine $script:engine -Name $script:tag -Category Metadata, Startup, Health -ReadyTimeout 30s
            ($r | Where-Object Name -EQ 'HEALTHCHECK defined').Passed | Should -BeTrue
            ($r | Where-Object Name -EQ 'HEALTHCHECK defined').Actual | Should -Be ((PodmanInspect $script:tag).Healthcheck.Test -join ' ')
            $startup = $r | Where-Object Category -EQ 'Startup'
            $startup.Passed | Should -BeTrue -Because "$($startup.Actual) $($startup.Message)"
            ($r | Where-Object Category -EQ 'Health').Passed | Should -BeTrue
            # no container left behind in Podman
            (& podman ps -a --filter "ancestor=$($script:tag)" --format '{{.ID}}') | Should -BeNullOrEmpty
        }

        It 'Publish-DockOptImage pushes to the loopback registry over HTTP (as dockerd allows); layers and bytes are the registry''s, and a re-publish sends nothing' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            if (-not $script:registry) {
                if ($env:CI -eq 'true') { throw 'Precondition missing under CI=true: no registry on 127.0.0.1:5000' }
                Set-ItResult -Skipped -Because 'no registry on 127.0.0.1:5000 (build.ps1 Bootstrap starts it)'; return
            }
            $accept = @{ Accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' }
            $path = $script:repo.Substring('127.0.0.1:5000/'.Length)
            $r = Publish-DockOptImage -Engine $script:engine -Name $script:tag -Destination $script:repo -Tag p1
            $r.Status | Should -Be 'Pushed'
            $r.ImageId | Should -Be "sha256:$((PodmanInspect $script:tag).Id)"
            $head = Invoke-WebRequest -Method Head -Uri "http://127.0.0.1:5000/v2/$path/manifests/p1" -Headers $accept
            $r.ImageUri | Should -Be "$($script:repo)@$($head.Headers['Docker-Content-Digest'])"
            # A new repository: every layer of the manifest the registry serves is new to it (Podman's push stream has no
            # per-layer lines; the figures come from the registry).
            $m = Invoke-RestMethod -Uri "http://127.0.0.1:5000/v2/$path/manifests/p1" -Headers $accept
            $m.layers.Count | Should -Be (PodmanInspect $script:tag).RootFS.Layers.Count
            $r.LayersPushed | Should -Be $m.layers.Count
            $r.LayersSkipped | Should -Be 0
            $r.BytesPushed | Should -Be ($m.layers | Measure-Object -Property size -Sum).Sum
            $again = Publish-DockOptImage -Engine $script:engine -Name $script:tag -Destination $script:repo -Tag p1
            $again.Status | Should -Be 'Unchanged'
            $again.LayersPushed | Should -Be 0
            $again.BytesPushed | Should -Be 0
            # The same image under a new tag: Podman pushes again, and every blob was already in the repository.
            $other = Publish-DockOptImage -Engine $script:engine -Name $script:tag -Destination $script:repo -Tag p2
            $other.Status | Should -Be 'Pushed'
            $other.Digest | Should -Be $r.Digest
            $other.LayersPushed | Should -Be 0
            $other.BytesPushed | Should -Be 0
            $other.LayersSkipped | Should -Be $m.layers.Count
        }

        It 'Publish-DockOptImage of a child image through Podman counts only the layer the repository lacked, with the manifest''s size' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            if (-not $script:registry) {
                if ($env:CI -eq 'true') { throw 'Precondition missing under CI=true: no registry on 127.0.0.1:5000' }
                Set-ItResult -Skipped -Because 'no registry on 127.0.0.1:5000 (build.ps1 Bootstrap starts it)'; return
            }
            $ctx = Join-Path $script:work 'child'
            $null = New-Item -ItemType Directory -Force -Path $ctx
            Set-Content -Path (Join-Path $ctx 'Dockerfile') -NoNewline -Value "FROM $($script:tag)`nRUN echo $([guid]::NewGuid().ToString('n')) > /child.txt`n"
            $child = 'dockopt-c-podman/child:' + [guid]::NewGuid().ToString('n').Substring(0, 8)
            $repo = '127.0.0.1:5000/dockopt-c-podman/child-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
            $path = $repo.Substring('127.0.0.1:5000/'.Length)
            $accept = @{ Accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' }
            try {
                $null = Invoke-DockOptBuild -Engine $script:engine -Path $ctx -Tag $child
                $base = Publish-DockOptImage -Engine $script:engine -Name $script:tag -Destination $repo -Tag base
                $r = Publish-DockOptImage -Engine $script:engine -Name $child -Destination $repo -Tag child
                $b = Invoke-RestMethod -Uri "http://127.0.0.1:5000/v2/$path/manifests/base" -Headers $accept
                $m = Invoke-RestMethod -Uri "http://127.0.0.1:5000/v2/$path/manifests/child" -Headers $accept
                $base.LayersPushed | Should -Be $b.layers.Count
                $m.layers.Count | Should -Be ($b.layers.Count + 1)
                @($m.layers | Select-Object -First $b.layers.Count | ForEach-Object digest) | Should -Be @($b.layers.digest)
                $r.LayersPushed | Should -Be 1
                $r.LayersSkipped | Should -Be $b.layers.Count
                $r.BytesPushed | Should -Be $m.layers[-1].size
            }
            finally { & podman image rm -f $child "$($repo):base" "$($repo):child" *> $null }
        }

        It 'Publish-DockOptImage passes -Credential to Podman (X-Registry-Auth) for a registry with basic auth, and a wrong password is RegistryAuthenticationFailed' {
            if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
            foreach ($tool in 'docker-registry', 'htpasswd') {
                if (-not (Get-Command $tool -ErrorAction Ignore)) {
                    if ($env:CI -eq 'true') { throw "Precondition missing under CI=true: no $tool (build.ps1 Bootstrap installs it)" }
                    Set-ItResult -Skipped -Because "no $tool"; return
                }
            }
            $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
            $dir = Join-Path $script:work "registry-$port"
            $null = New-Item -ItemType Directory -Force -Path "$dir/data"
            $password = [guid]::NewGuid().ToString('n')
            Set-Content "$dir/htpasswd" ((& htpasswd -Bbn podman-tester $password) | Where-Object { $_ })
            Set-Content "$dir/config.yml" "version: 0.1`nlog:`n  level: warn`nstorage:`n  filesystem:`n    rootdirectory: $dir/data`nhttp:`n  addr: 127.0.0.1:$port`nauth:`n  htpasswd:`n    realm: dockopt-test`n    path: $dir/htpasswd`n"
            $reg = Start-Process -FilePath docker-registry -ArgumentList 'serve', "$dir/config.yml" -RedirectStandardError "$dir/registry.log" -RedirectStandardOutput "$dir/stdout.log" -PassThru
            try {
                $deadline = (Get-Date).AddSeconds(15)
                do { Start-Sleep -Milliseconds 100; $code = & curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" } until ($code -eq '401' -or (Get-Date) -gt $deadline)
                $code | Should -Be '401'
                $good = [pscredential]::new('podman-tester', (ConvertTo-SecureString $password -AsPlainText -Force))
                $r = Publish-DockOptImage -Engine $script:engine -Name $script:tag -Destination "127.0.0.1:$port/dockopt-d-podman/auth" -Tag a1 -Credential $good
                $r.Status | Should -Be 'Pushed'
                $r.AuthSource | Should -Be 'Credential'
                $head = & curl -sS -I -u "podman-tester:$password" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/dockopt-d-podman/auth/manifests/a1"
                $digest = (($head | Where-Object { $_ -match '^Docker-Content-Digest:' }) -replace '^Docker-Content-Digest:\s*', '').Trim()
                $r.Digest | Should -Be $digest
                $bad = [pscredential]::new('podman-tester', (ConvertTo-SecureString 'not-the-password' -AsPlainText -Force))
                $e = { Publish-DockOptImage -Engine $script:engine -Name $script:tag -Destination "127.0.0.1:$port/dockopt-d-podman/auth" -Tag a2 -Credential $bad } | Should -Throw -PassThru
                $e.FullyQualifiedErrorId | Should -BeLike 'RegistryAuthenticationFailed,*'
            }
            finally {
                Stop-Process -Id $reg.Id -Force -ErrorAction Ignore
                & podman image rm -f "127.0.0.1:$port/dockopt-d-podman/auth:a1" *> $null
            }
        }
    }
}
