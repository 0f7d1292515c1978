# DOCKER_HOST=ssh:// and -Engine ssh:// against a real sshd on 127.0.0.1 (Debian's openssh-server, started here with its
# own config, host key and port) whose remote side runs 'docker system dial-stdio' (the docker CLI on this machine).
# Keys are made here; ssh reads an ssh_config of this test through DOCKOPT_SSH (a wrapper adding -F), since ssh takes
# ~/.ssh from the password database, not from $HOME.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    # The build case asserts BuildKit is the default: no DOCKER_BUILDKIT from the environment or an earlier file.
    $script:savedBuildKit = $env:DOCKER_BUILDKIT
    $env:DOCKER_BUILDKIT = $null

    $script:problem = $null
    if (-not (Test-Path /usr/sbin/sshd)) { $script:problem = 'no /usr/sbin/sshd (build.ps1 Bootstrap installs openssh-server on Debian as root)' }
    elseif (-not (Get-Command ssh -ErrorAction Ignore) -or -not (Get-Command ssh-keygen -ErrorAction Ignore)) { $script:problem = 'no OpenSSH client (ssh, ssh-keygen)' }
    elseif ((& id -u) -ne '0') { $script:problem = 'sshd for the test runs as root and logs in as root' }
    elseif (-not (Test-DockerEngine)) { $script:problem = 'no Docker engine behind the ssh connection' }
    if ($script:problem -and $env:CI -eq 'true' -and (& id -u) -eq '0') { throw "Precondition missing under CI=true, where Bootstrap provides sshd: $($script:problem)" }

    if (-not $script:problem) {
        $d = $script:dir = Join-Path ([IO.Path]::GetTempPath()) ('dockopt-d-ssh-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $null = New-Item -ItemType Directory -Path $d
        foreach ($k in 'host_key', 'client_key', 'wrong_key') {
            $out = & ssh-keygen -q -t ed25519 -N '' -C "dockopt-test-$k" -f (Join-Path $d $k) 2>&1
            if ($LASTEXITCODE -ne 0) { throw "ssh-keygen failed: $out" }
        }
        Copy-Item (Join-Path $d 'client_key.pub') (Join-Path $d 'authorized_keys')
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $script:port = $l.LocalEndpoint.Port; $l.Stop()
        @"
Port $($script:port)
ListenAddress 127.0.0.1
HostKey $d/host_key
AuthorizedKeysFile $d/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile $d/sshd.pid
"@ | Set-Content (Join-Path $d 'sshd_config')
        $null = New-Item -ItemType Directory -Force -Path /run/sshd
        $out = & /usr/sbin/sshd -f (Join-Path $d 'sshd_config') -E (Join-Path $d 'sshd.log') 2>&1
        if ($LASTEXITCODE -ne 0) { throw "sshd did not start: $out" }
        $deadline = (Get-Date).AddSeconds(10)
        do {
            Start-Sleep -Milliseconds 100
            $ok = $false
            $c = [System.Net.Sockets.TcpClient]::new()
            try { $c.Connect('127.0.0.1', $script:port); $ok = $true } catch { } finally { $c.Dispose() }
        } until ($ok -or (Get-Date) -gt $deadline)

        function script:New-SshWrapper([string] $Name, [string] $Key, [string] $HostKeyChecking, [string] $KnownHosts) {
            @"
Host *
  IdentityFile $d/$Key
  IdentitiesOnly yes
  UserKnownHostsFile $KnownHosts
  StrictHostKeyChecking $HostKeyChecking
  LogLevel ERROR
"@ | Set-Content (Join-Path $d "$Name.config")
            $w = Join-Path $d $Name
            "#!/bin/sh`nexec ssh -F '$d/$Name.config' `"`$@`"`n" | Set-Content -NoNewline $w
            & chmod +x $w
            return $w
        }
        $script:sshOk = New-SshWrapper 'ssh-ok' 'client_key' 'accept-new' "$d/known_hosts"
        $script:sshWrongKey = New-SshWrapper 'ssh-wrong-key' 'wrong_key' 'accept-new' "$d/known_hosts"
        $script:sshUnknownHost = New-SshWrapper 'ssh-unknown-host' 'client_key' 'yes' "$d/empty_known_hosts"
        $script:endpoint = "ssh://root@127.0.0.1:$($script:port)"
        $script:savedSsh = $env:DOCKOPT_SSH

        # ssh processes of this test's port still alive (dial-stdio connections DockOpt should have ended)
        function script:Get-LeftoverSsh {
            @(& pgrep -af 'dial-stdio' 2>$null | Where-Object { $_ -match "-p $($script:port) " -and $_ -notmatch 'sshd' })
        }
    }
}

AfterAll {
    $env:DOCKER_BUILDKIT = $script:savedBuildKit
    $env:DOCKOPT_SSH = $script:savedSsh
    if ($script:dir) {
        $pidFile = Join-Path $script:dir 'sshd.pid'
        if (Test-Path $pidFile) { Stop-Process -Id ([int](Get-Content $pidFile)) -ErrorAction Ignore }
        Remove-Item -Recurse -Force $script:dir -ErrorAction Ignore
    }
}

Describe 'Engine over ssh:// (docker system dial-stdio through a real sshd)' -Tag 'RequiresDocker', 'Ssh' {
    BeforeEach { if (-not $script:problem) { $env:DOCKOPT_SSH = $script:sshOk } }

    It 'Get-DockOptImage over -Engine ssh:// gives the figures it gives over the unix socket' {
        if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
        $viaSsh = Get-DockOptImage -Engine $script:endpoint -Name dockopt/busybox:latest
        $local = Get-DockOptImage -Engine unix:///var/run/docker.sock -Name dockopt/busybox:latest
        $viaSsh.Engine | Should -Be $script:endpoint
        $viaSsh.Id | Should -Be (& docker image inspect dockopt/busybox:latest --format '{{.Id}}')
        foreach ($p in 'Id', 'Size', 'LayerCount', 'Created', 'Architecture', 'Os') { $viaSsh.$p | Should -Be $local.$p -Because $p }
        $viaSsh.LayerDiffIds | Should -Be $local.LayerDiffIds
        $viaSsh.RepoTags | Should -Contain 'dockopt/busybox:latest'   # other tags of this shared base come and go with other tests
        Get-LeftoverSsh | Should -BeNullOrEmpty -Because 'the command disposes its connections, and each ends its ssh process'
    }

    It 'Measure-DockOptImage over DOCKER_HOST=ssh:// streams the export through ssh and gives the same figures' {
        if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
        $saved = $env:DOCKER_HOST
        try {
            $env:DOCKER_HOST = $script:endpoint
            $viaSsh = Measure-DockOptImage -Name dockopt/busybox:latest
        }
        finally { $env:DOCKER_HOST = $saved }
        $local = Measure-DockOptImage -Engine unix:///var/run/docker.sock -Name dockopt/busybox:latest
        foreach ($p in 'ImageId', 'LayerCount', 'TotalSize', 'FinalSize', 'FileCount', 'ReclaimableBytes', 'DuplicateBytes', 'Efficiency', 'Score') {
            $viaSsh.$p | Should -Be $local.$p -Because $p
        }
        $viaSsh.TotalSize | Should -Be ([long](& docker image inspect dockopt/busybox:latest --format '{{.Size}}'))
        Get-LeftoverSsh | Should -BeNullOrEmpty
    }

    It 'Invoke-DockOptBuild over ssh:// runs BuildKit, its session upgraded on a dial-stdio connection' {
        if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
        $ctx = Join-Path $script:dir 'ctx'
        $null = New-Item -ItemType Directory -Force -Path $ctx
        Set-Content -Path (Join-Path $ctx 'Dockerfile') -NoNewline -Value "FROM dockopt/busybox:latest`nCOPY hello.txt /hello.txt`n"
        Set-Content -Path (Join-Path $ctx 'hello.txt') -NoNewline -Value $script:port
        $tag = (New-TestImageName 'dockopt-d-ssh') + ':build'
        try {
            $r = Invoke-DockOptBuild -Engine $script:endpoint -Path $ctx -Tag $tag
            $r.Builder | Should -Be 'BuildKit'
            $r.Engine | Should -Be $script:endpoint
            $r.ImageId | Should -Be (& docker image inspect $tag --format '{{.Id}}')
            (& docker run --rm $tag cat /hello.txt) | Should -Be "$($script:port)"
            Get-LeftoverSsh | Should -BeNullOrEmpty
        }
        finally { Remove-TestImage $tag }
    }

    It 'Test-DockOptImage over ssh:// reaches the published port through ssh -W and passes readiness and HTTP checks' {
        if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
        # A wrapper that records every ssh command line, then runs the test's ssh: the HTTP probes must go through it.
        $argLog = Join-Path $script:dir 'ssh-args.log'
        $logging = Join-Path $script:dir 'ssh-logging'
        "#!/bin/sh`necho `"`$*`" >> '$argLog'`nexec '$($script:sshOk)' `"`$@`"`n" | Set-Content -NoNewline $logging
        & chmod +x $logging
        $ctx = Join-Path $script:dir 'web'
        $null = New-Item -ItemType Directory -Force -Path $ctx
        Set-Content -Path (Join-Path $ctx 'index.html') -NoNewline -Value "served-$($script:port)"
        Set-Content -Path (Join-Path $ctx 'Dockerfile') -Value "FROM dockopt/busybox:latest`nCOPY index.html /www/index.html`nEXPOSE 8080`nCMD [`"httpd`", `"-f`", `"-p`", `"8080`", `"-h`", `"/www`"]"
        $tag = (New-TestImageName 'dockopt-d-ssh') + ':web'
        $out = & docker build -q -t $tag $ctx 2>&1
        if ($LASTEXITCODE -ne 0) { throw "docker build failed: $out" }
        $spec = Join-Path $script:dir 'web.yaml'
        "runtime:`n  ready: { http: /index.html, timeout: 30s }`n  http:`n    - name: page`n      path: /index.html`n      status: [200]`n      expectBody: 'served-$($script:port)'`n    - name: missing`n      path: /nope`n      status: [404]`n" | Set-Content $spec
        try {
            $env:DOCKOPT_SSH = $logging
            $r = @(Test-DockOptImage -Engine $script:endpoint -Image $tag -SpecPath $spec -Category Startup, Http)
            $failed = @($r | Where-Object Outcome -ne 'Passed')
            $failed | Should -BeNullOrEmpty -Because (($failed | ForEach-Object { "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message)" }) -join '; ')
            @($r | Where-Object Category -eq 'Http').Count | Should -Be 2
            $forwards = @(Get-Content $argLog | Where-Object { $_ -match '-W 127\.0\.0\.1:\d+ -- 127\.0\.0\.1$' })
            $forwards.Count | Should -BeGreaterThan 0 -Because 'the probes connect to the remote loopback through ssh -W, not to this machine'
            @(& pgrep -af ' -W 127.0.0.1:' 2>$null | Where-Object { $_ -match "-p $($script:port) " -and $_ -notmatch 'sshd' }) | Should -BeNullOrEmpty
            Get-LeftoverSsh | Should -BeNullOrEmpty
        }
        finally { Remove-TestImage $tag }
    }

    It 'a key the server refuses fails with EngineSshFailed and ssh''s own message within seconds, leaving no ssh process' {
        if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
        $env:DOCKOPT_SSH = $script:sshWrongKey
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $e = { Get-DockOptImage -Engine $script:endpoint -Name dockopt/busybox:latest } | Should -Throw -PassThru
        $sw.Stop()
        $e.FullyQualifiedErrorId | Should -BeLike 'EngineSshFailed,*'
        $e.Exception.Message | Should -Match 'Permission denied \(publickey\)'
        $e.Exception.Message | Should -Match ([regex]::Escape($script:endpoint))
        $e.Exception.RecommendedAction | Should -Match 'ssh-add|IdentityFile'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
        Get-LeftoverSsh | Should -BeNullOrEmpty
    }

    It 'an unknown host key (StrictHostKeyChecking yes) fails with EngineSshFailed saying so, with no prompt' {
        if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
        $env:DOCKOPT_SSH = $script:sshUnknownHost
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $e = { Measure-DockOptImage -Engine $script:endpoint -Name dockopt/busybox:latest } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'EngineSshFailed,*'
        $e.Exception.Message | Should -Match 'Host key verification failed'
        $e.Exception.RecommendedAction | Should -Match 'known_hosts'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
        Get-LeftoverSsh | Should -BeNullOrEmpty
    }

    It 'an ssh client that cannot be started is EngineSshFailed naming it, not a raw exception' {
        if ($script:problem) { Set-ItResult -Skipped -Because $script:problem; return }
        $env:DOCKOPT_SSH = Join-Path $script:dir 'no-such-ssh'
        $e = { Get-DockOptImage -Engine $script:endpoint -Name dockopt/busybox:latest } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'EngineSshFailed,*'
        $e.Exception.Message | Should -Match 'no-such-ssh'
        $e.Exception.RecommendedAction | Should -Match 'DOCKOPT_SSH'
    }

    It 'a password in the URL is refused before ssh runs' {
        $e = { Get-DockOptImage -Engine 'ssh://root:secret@127.0.0.1:1' } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidEngineEndpoint,*'
        "$($e.Exception.Message) $($e.TargetObject)" | Should -Not -Match 'secret'
    }
}
