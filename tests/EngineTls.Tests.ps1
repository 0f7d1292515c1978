# DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH against the real engine: a TLS front (socat) with a
# CA, server and client certificates this test makes, forwarding to the engine's socket. The front requires a client
# certificate, as a TLS-protected dockerd does.
BeforeDiscovery {
    $script:canRun = [bool](Get-Command socat -ErrorAction Ignore) -and [bool](Get-Command openssl -ErrorAction Ignore) -and (Test-Path /var/run/docker.sock)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
}

Describe 'Engine over TLS' -Tag 'RequiresDocker' -Skip:(-not $canRun) {
    BeforeAll {
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $script:dir
        Push-Location $script:dir
        try {
            $ext = 'ext.cnf'
            Set-Content $ext "subjectAltName=IP:127.0.0.1,DNS:localhost`nextendedKeyUsage=serverAuth"
            Set-Content 'client.cnf' 'extendedKeyUsage=clientAuth'
            foreach ($c in @(
                    'req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=dockopt-test-ca -keyout ca-key.pem -out ca.pem',
                    'req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server-key.pem -out server.csr',
                    "x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile $ext -out server-cert.pem",
                    'req -newkey rsa:2048 -nodes -subj /CN=dockopt-client -keyout key.pem -out client.csr',
                    'x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.cnf -out cert.pem')) {
                $out = & openssl @($c -split ' ') 2>&1
                if ($LASTEXITCODE -ne 0) { throw "openssl $c failed: $out" }
            }
        }
        finally { Pop-Location }
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $script:port = $l.LocalEndpoint.Port; $l.Stop()
        $d = $script:dir
        $script:socat = Start-Process -FilePath socat -PassThru -RedirectStandardError (Join-Path $d 'socat.log') -ArgumentList @(
            "openssl-listen:$($script:port),bind=127.0.0.1,reuseaddr,fork,cert=$d/server-cert.pem,key=$d/server-key.pem,cafile=$d/ca.pem,verify=1",
            'unix-connect:/var/run/docker.sock')
        $deadline = (Get-Date).AddSeconds(10)
        do {
            Start-Sleep -Milliseconds 100
            $ok = $false
            $c = [System.Net.Sockets.TcpClient]::new()
            try { $c.Connect('127.0.0.1', $script:port); $ok = $true } catch { } finally { $c.Dispose() }
        } until ($ok -or (Get-Date) -gt $deadline)
        $script:saved = @{ DOCKER_HOST = $env:DOCKER_HOST; DOCKER_TLS_VERIFY = $env:DOCKER_TLS_VERIFY; DOCKER_CERT_PATH = $env:DOCKER_CERT_PATH }
    }
    AfterAll {
        foreach ($k in $script:saved.Keys) { Set-Item "env:$k" -Value $script:saved[$k] }
        if ($script:socat) { Stop-Process -Id $script:socat.Id -ErrorAction Ignore }
        Remove-Item -Recurse -Force $script:dir -ErrorAction Ignore
    }

    It 'lists images through tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH' {
        $env:DOCKER_HOST = "tcp://127.0.0.1:$($script:port)"
        $env:DOCKER_TLS_VERIFY = '1'
        $env:DOCKER_CERT_PATH = $script:dir
        $viaTls = Get-DockOptImage -Name 'dockopt/busybox:latest' -Verbose 4>&1
        $image = $viaTls | Where-Object { $_ -is [DockOpt.ImageInfo] }
        $image.Id | Should -Be (& docker -H unix:///var/run/docker.sock image inspect dockopt/busybox:latest --format '{{.Id}}')
        ($viaTls | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Match "tcp://127.0.0.1:$($script:port)"
    }

    It 'refuses a server certificate its CA did not sign' {
        $other = Join-Path $script:dir 'other'
        $null = New-Item -ItemType Directory -Path $other
        Copy-Item (Join-Path $script:dir 'cert.pem'), (Join-Path $script:dir 'key.pem') $other
        $null = & openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=unrelated-ca -keyout (Join-Path $other 'ca-key.pem') -out (Join-Path $other 'ca.pem') 2>&1
        $env:DOCKER_HOST = "tcp://127.0.0.1:$($script:port)"
        $env:DOCKER_TLS_VERIFY = '1'
        $env:DOCKER_CERT_PATH = $other
        { Get-DockOptImage -Name 'dockopt/busybox:latest' -ErrorAction Stop } | Should -Throw -ErrorId 'EngineUnreachable,DockOpt.Cmdlets.GetDockOptImageCommand'
    }
}
