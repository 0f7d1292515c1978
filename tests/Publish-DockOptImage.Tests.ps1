BeforeDiscovery {
    # Basic-auth tests need htpasswd (apache2-utils) for the bcrypt htpasswd file; install it when we may, else skip them.
    $hasHtpasswd = [bool](Get-Command htpasswd -ErrorAction SilentlyContinue)
    if (-not $hasHtpasswd -and (Get-Command apt-get -ErrorAction SilentlyContinue) -and ((& id -u) -eq '0')) {
        & apt-get install -y -q apache2-utils *> $null
        $hasHtpasswd = [bool](Get-Command htpasswd -ErrorAction SilentlyContinue)
    }
    $noHtpasswd = -not $hasHtpasswd
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    $script:ErrId = { param($id) "$id,DockOpt.Cmdlets.PublishDockOptImageCommand" }

    function Get-FreePort {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start(); $p = $l.LocalEndpoint.Port; $l.Stop(); return $p
    }

    # Starts CNCF distribution (docker-registry serve) on 127.0.0.1 with a free port; optional htpasswd auth and TLS.
    function Start-TestRegistry {
        param([string] $User, [string] $Password, [switch] $Tls)
        $port = Get-FreePort
        $dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-publish-reg-$port"
        New-Item -ItemType Directory -Force -Path "$dir/data" | Out-Null
        $yaml = @"
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
"@
        $reg = [pscustomobject]@{ Port = $port; Host = "127.0.0.1:$port"; Dir = $dir; Log = "$dir/registry.log"; Process = $null; Url = "http://127.0.0.1:$port"; CaFile = $null; CertsD = $null }
        if ($Tls) {
            $ca = "$dir/ca"; $srv = "$dir/server"
            & openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=DockOpt Test CA' -keyout "$ca.key" -out "$ca.crt" 2>$null
            & openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout "$srv.key" -out "$srv.csr" 2>$null
            Set-Content "$dir/ext.cnf" "subjectAltName=IP:127.0.0.1`nbasicConstraints=CA:FALSE`nextendedKeyUsage=serverAuth"
            & openssl x509 -req -in "$srv.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 2 -extfile "$dir/ext.cnf" -out "$srv.crt" 2>$null
            if ($LASTEXITCODE -ne 0) { throw 'openssl could not create the test certificates' }
            $yaml += "`n  tls:`n    certificate: $srv.crt`n    key: $srv.key"
            $reg.Url = "https://127.0.0.1:$port"; $reg.CaFile = "$ca.crt"
            # The engine (and DockOpt) trust registry CAs from /etc/docker/certs.d/<host:port>/ca.crt; no daemon restart needed.
            $reg.CertsD = "/etc/docker/certs.d/127.0.0.1:$port"
            New-Item -ItemType Directory -Force -Path $reg.CertsD | Out-Null
            Copy-Item "$ca.crt" (Join-Path $reg.CertsD 'ca.crt')
        }
        if ($User) {
            $line = & htpasswd -Bbn $User $Password
            if ($LASTEXITCODE -ne 0) { throw 'htpasswd failed' }
            Set-Content "$dir/htpasswd" ($line | Where-Object { $_ })
            $yaml += "`nauth:`n  htpasswd:`n    realm: dockopt-test`n    path: $dir/htpasswd"
        }
        Set-Content "$dir/config.yml" $yaml
        $reg.Process = Start-Process -FilePath docker-registry -ArgumentList 'serve', "$dir/config.yml" -RedirectStandardError $reg.Log -RedirectStandardOutput "$dir/stdout.log" -PassThru
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ([DateTime]::UtcNow -lt $deadline) {
            $code = & curl -s -o /dev/null -w '%{http_code}' $(if ($Tls) { @('--cacert', $reg.CaFile) }) "$($reg.Url)/v2/"
            if ($code -in '200', '401') { return $reg }
            Start-Sleep -Milliseconds 100
        }
        throw "docker-registry did not start on port $port`n$(Get-Content $reg.Log -Raw)"
    }

    function Stop-TestRegistry($reg) {
        if (-not $reg) { return }
        if ($reg.Process -and -not $reg.Process.HasExited) { Stop-Process -Id $reg.Process.Id -Force -ErrorAction SilentlyContinue; $reg.Process.WaitForExit(5000) | Out-Null }
        if ($reg.CertsD) { Remove-Item -Recurse -Force $reg.CertsD -ErrorAction SilentlyContinue }
        Remove-Item -Recurse -Force $reg.Dir -ErrorAction SilentlyContinue
    }

    # What the registry itself says a tag points to (curl, not DockOpt).
    function Get-RegistryDigest($reg, [string] $Repo, [string] $Tag, [string] $User, [string] $Password) {
        $a = @('-sS', '-I', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json')
        if ($User) { $a += @('-u', "${User}:$Password") }
        if ($reg.CaFile) { $a += @('--cacert', $reg.CaFile) }
        $h = & curl @a "$($reg.Url)/v2/$Repo/manifests/$Tag"
        $d = $h | Where-Object { $_ -match '^Docker-Content-Digest:' } | Select-Object -First 1
        if ($d) { return ($d -replace '^Docker-Content-Digest:\s*', '').Trim() }
        return $null
    }

    function Get-RegistryManifest($reg, [string] $Repo, [string] $Ref, [string] $User, [string] $Password) {
        $a = @('-sS', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json')
        if ($User) { $a += @('-u', "${User}:$Password") }
        if ($reg.CaFile) { $a += @('--cacert', $reg.CaFile) }
        return (& curl @a "$($reg.Url)/v2/$Repo/manifests/$Ref") | ConvertFrom-Json
    }

    # Requests that write to the registry (blob upload, manifest PUT) in its access log from line $From on.
    function Get-RegistryWrites($reg, [int] $From = 0) {
        @(Get-Content $reg.Log | Select-Object -Skip $From | Where-Object { $_ -match 'http\.request\.method=(POST|PATCH|PUT)' })
    }

    function New-PublishCredential([string] $User, [string] $Password) {
        [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force))
    }

    $script:image = New-TestImage -Tag "$(New-TestImageName 'dockopt-publish'):src" -Dockerfile @"
FROM dockopt/busybox:latest
RUN dd if=/dev/urandom of=/payload bs=1024 count=3072 2>/dev/null && echo $([guid]::NewGuid()) > /id
"@
    $script:imageId = (& docker image inspect $script:image --format '{{.Id}}')
    $script:hasHtpasswd = [bool](Get-Command htpasswd -ErrorAction SilentlyContinue)
}

AfterAll {
    Remove-TestImage $script:image
}

Describe 'Publish-DockOptImage to a registry without auth' -Tag 'RequiresDocker' {
    BeforeAll { $script:reg = Start-TestRegistry }
    AfterAll { Stop-TestRegistry $script:reg }

    It 'pushes three tags in one call; each digest read back from the registry equals Digest' {
        $r = @(Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'team/app' -Tag 'v1', 'stable' -TagStrategy Latest -Verbose 4>&1 |
            Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        # dockerd's per-layer lines and the registry (blobs HEAD-checked before, manifest after) agree on what was sent.
        @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -match 'the registry shows' }) | Should -BeNullOrEmpty
        @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -match '^Pushed .* layer\(s\) uploaded' }).Count | Should -Be 3
        $r.Count | Should -Be 3
        $r.Tag | Should -Be @('v1', 'stable', 'latest')
        $r | ForEach-Object { $_ | Should -BeOfType ([DockOpt.PublishResult]) }
        $r.Status | Sort-Object -Unique | Should -Be 'Pushed'
        foreach ($x in $r) {
            $x.Digest | Should -Be (Get-RegistryDigest $script:reg 'team/app' $x.Tag) -Because $x.Tag
            $x.ImageUri | Should -Be "$($script:reg.Host)/team/app@$($x.Digest)"
            $x.ImageId | Should -Be $script:imageId
        }
        $m = Get-RegistryManifest $script:reg 'team/app' $r[0].Digest
        $layerBytes = ($m.layers | Measure-Object -Property size -Sum).Sum
        $r[0].LayersPushed | Should -Be @($m.layers).Count
        $r[0].BytesPushed | Should -Be $layerBytes
        $r[0].Size | Should -Be ($layerBytes + $m.config.size)
        $r[1].BytesPushed | Should -Be 0
        $r[1].LayersSkipped | Should -Be @($m.layers).Count
        $m.config.digest | Should -Be $script:imageId
        # The registry/repository:tag tags the push needed are removed again.
        & docker image inspect "$($script:reg.Host)/team/app:v1" *> $null
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'publishing again sends nothing and reports Unchanged for all three tags' {
        $mark = @(Get-Content $script:reg.Log).Count
        $r = @(Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'team/app' -Tag 'v1', 'stable' -TagStrategy Latest)
        $r.Count | Should -Be 3
        $r.Status | Sort-Object -Unique | Should -Be 'Unchanged'
        ($r | Measure-Object -Property BytesPushed -Sum).Sum | Should -Be 0
        ($r | Measure-Object -Property LayersPushed -Sum).Sum | Should -Be 0
        foreach ($x in $r) { $x.Digest | Should -Be (Get-RegistryDigest $script:reg 'team/app' $x.Tag) }
        Start-Sleep -Milliseconds 200
        Get-RegistryWrites $script:reg $mark | Should -BeNullOrEmpty -Because 'no blob upload or manifest PUT may reach the registry'
    }

    It 'accepts ImageInfo from the pipeline, a -Destination with a tag, and maps semver build metadata with a warning' {
        $r = @(Get-DockOptImage -Name $script:image | Publish-DockOptImage -Destination "$($script:reg.Host)/team/app:edge" -TagStrategy SemVer -Version '2.1.0+build.7' -WarningVariable w)
        $r.Tag | Should -Be @('edge', '2.1.0_build.7')
        ($w -join ' ') | Should -Match "2\.1\.0\+build\.7.*2\.1\.0_build\.7"
        $r[1].Digest | Should -Be (Get-RegistryDigest $script:reg 'team/app' '2.1.0_build.7')
    }

    It '-WhatIf says what would be pushed where and sends nothing' {
        $mark = @(Get-Content $script:reg.Log).Count
        # -WhatIf text goes to the host, so run it in a child pwsh and read what it printed.
        $exe = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
        $pre = if ((Split-Path -Leaf $exe) -like 'dotnet*') { @("$PSHOME/pwsh.dll") } else { @() }
        $cmd = "Import-Module '$(Get-DockOptTestModulePath)'; Publish-DockOptImage -Name '$($script:image)' -Registry '$($script:reg.Host)' -Repository 'team/whatif' -Tag 'a', 'b' -WhatIf"
        $out = & $exe @pre -NoProfile -NonInteractive -Command $cmd 2>&1 | Out-String
        $out | Should -Match ([regex]::Escape("$($script:reg.Host)/team/whatif:a,b"))
        $out | Should -Match 'Push image'
        Get-RegistryDigest $script:reg 'team/whatif' 'a' | Should -BeNullOrEmpty
        Get-Content $script:reg.Log | Select-Object -Skip $mark | Where-Object { $_ -match 'http\.request' -and $_ -notmatch 'useragent=curl' } | Should -BeNullOrEmpty
    }

    It 'rejects an invalid OCI tag before contacting anything' {
        { Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'team/app' -Tag 'bad+tag' -ErrorAction Stop } |
            Should -Throw -ErrorId (& $script:ErrId 'InvalidTag')
        { Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'team/app' -Tag ('a' * 129) -ErrorAction Stop } |
            Should -Throw -ErrorId (& $script:ErrId 'InvalidTag')
    }

    It 'reports a missing local image as ImageNotFound' {
        { Publish-DockOptImage -Name 'dockopt-publish-missing:none' -Registry $script:reg.Host -Repository 'team/app' -Tag x -ErrorAction Stop } |
            Should -Throw -ErrorId (& $script:ErrId 'ImageNotFound')
    }
}

Describe 'Publish-DockOptImage with htpasswd basic auth (user AWS, as the ECR data plane)' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:pw = 'Pw-' + [guid]::NewGuid().ToString('n')
        if ($script:hasHtpasswd) { $script:reg = Start-TestRegistry -User 'AWS' -Password $script:pw }
        $script:cfgDir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-publish-cfg-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $script:cfgDir | Out-Null
        $script:oldDockerConfig = $env:DOCKER_CONFIG
    }
    AfterAll {
        Stop-TestRegistry $script:reg
        $env:DOCKER_CONFIG = $script:oldDockerConfig
        Remove-Item -Recurse -Force $script:cfgDir -ErrorAction SilentlyContinue
    }
    AfterEach { $env:DOCKER_CONFIG = $script:oldDockerConfig }

    It 'pushes with -Credential' -Skip:$noHtpasswd {
        $r = @(Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'ecr/app' -Tag 'c1' -Credential (New-PublishCredential 'AWS' $script:pw))
        $r.Status | Should -Be 'Pushed'
        $r.AuthSource | Should -Be 'Credential'
        $r.Digest | Should -Be (Get-RegistryDigest $script:reg 'ecr/app' 'c1' 'AWS' $script:pw)
    }

    It 'a wrong password gives an authentication error naming the registry, with no secret anywhere' -Skip:$noHtpasswd {
        $bad = 'Wrong-' + [guid]::NewGuid().ToString('n')
        $all = Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'ecr/app' -Tag 'c2' -Credential (New-PublishCredential 'AWS' $bad) -Verbose -ErrorVariable ev -ErrorAction SilentlyContinue *>&1 | Out-String
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be (& $script:ErrId 'RegistryAuthenticationFailed')
        $ev[0].Exception.Message | Should -Match ([regex]::Escape($script:reg.Host))
        $text = $all + ($ev | Out-String) + $ev[0].Exception.Message + ($ev[0].ErrorDetails | Out-String)
        $text | Should -Not -Match $bad
        $text | Should -Not -Match ([regex]::Escape([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("AWS:$bad"))))
        Get-RegistryDigest $script:reg 'ecr/app' 'c2' 'AWS' $script:pw | Should -BeNullOrEmpty
    }

    It 'takes credentials from a config.json auths entry' -Skip:$noHtpasswd {
        $auth = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("AWS:$($script:pw)"))
        Set-Content (Join-Path $script:cfgDir 'config.json') (@{ auths = @{ $script:reg.Host = @{ auth = $auth } } } | ConvertTo-Json -Depth 4)
        $env:DOCKER_CONFIG = $script:cfgDir
        $r = @(Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'ecr/app' -Tag 'cfg')
        $r.Status | Should -Be 'Pushed'
        $r.AuthSource | Should -Be 'config.json auths'
        $r.Digest | Should -Be (Get-RegistryDigest $script:reg 'ecr/app' 'cfg' 'AWS' $script:pw)
    }

    It 'takes credentials from a docker-credential helper script on PATH (credHelpers)' -Skip:$noHtpasswd {
        $bin = Join-Path $script:cfgDir 'bin'
        New-Item -ItemType Directory -Force -Path $bin | Out-Null
        $helper = Join-Path $bin 'docker-credential-dockopttest'
        Set-Content $helper "#!/bin/sh`n[ `"`$1`" = get ] || exit 1`nread url`necho `"`$url`" >> '$bin/asked'`nprintf '{`"ServerURL`":`"%s`",`"Username`":`"AWS`",`"Secret`":`"%s`"}' `"`$url`" '$($script:pw)'`n"
        & chmod +x $helper
        Set-Content (Join-Path $script:cfgDir 'config.json') (@{ credHelpers = @{ $script:reg.Host = 'dockopttest' } } | ConvertTo-Json)
        $env:DOCKER_CONFIG = $script:cfgDir
        $oldPath = $env:PATH
        try {
            $env:PATH = "$bin$([IO.Path]::PathSeparator)$oldPath"
            $r = @(Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'ecr/app' -Tag 'helper')
        }
        finally { $env:PATH = $oldPath }
        $r.Status | Should -Be 'Pushed'
        $r.AuthSource | Should -Be 'credHelper dockopttest'
        (Get-Content "$bin/asked") | Should -Contain $script:reg.Host
        $r.Digest | Should -Be (Get-RegistryDigest $script:reg 'ecr/app' 'helper' 'AWS' $script:pw)
    }
}

Describe 'Publish-DockOptImage over TLS with a self-signed CA' -Tag 'RequiresDocker' {
    BeforeAll { $script:reg = Start-TestRegistry -Tls }
    AfterAll { Stop-TestRegistry $script:reg }

    It 'pushes when the CA is in /etc/docker/certs.d/<host:port>/ca.crt' {
        $r = @(Publish-DockOptImage -Name $script:image -Registry $script:reg.Host -Repository 'tls/app' -Tag 't1', 't2' -Verbose 4>$null)
        $r.Status | Should -Be @('Pushed', 'Pushed')
        foreach ($x in $r) { $x.Digest | Should -Be (Get-RegistryDigest $script:reg 'tls/app' $x.Tag) }
        # The registry served these requests over TLS (plain HTTP would have failed the handshake).
        (Get-Content $script:reg.Log | Where-Object { $_ -match 'http\.request\.method=PUT' -and $_ -match 'manifests/t1' }) | Should -Not -BeNullOrEmpty
    }
}

Describe 'Publish-DockOptImage when the registry goes away' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:big = New-TestImage -Tag "$(New-TestImageName 'dockopt-publish'):big" -Dockerfile @"
FROM dockopt/busybox:latest
RUN dd if=/dev/urandom of=/big bs=1048576 count=48 2>/dev/null
"@
        $script:reg = Start-TestRegistry
    }
    AfterAll {
        Stop-TestRegistry $script:reg
        Remove-TestImage $script:big
    }

    It 'retries within the bound, then fails; no tag is reported Pushed' {
        # Kill the registry as soon as the first blob upload session is opened.
        $watch = Start-ThreadJob -ArgumentList $script:reg.Log, $script:reg.Process.Id -ScriptBlock {
            param($log, $id)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ([DateTime]::UtcNow -lt $deadline) {
                if (Select-String -Path $log -Pattern 'http\.request\.method=POST .*blobs/uploads' -Quiet) { Stop-Process -Id $id -Force; return 'killed' }
                Start-Sleep -Milliseconds 20
            }
            'timeout'
        }
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = @(Publish-DockOptImage -Name $script:big -Registry $script:reg.Host -Repository 'gone/app' -Tag 'a', 'b' -RetryTimeout '00:00:12' -MaxAttempts 3 -ErrorVariable ev -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $sw.Stop()
        Receive-Job $watch -Wait -AutoRemoveJob | Should -Be 'killed'
        @($r | Where-Object Status -eq 'Pushed') | Should -BeNullOrEmpty
        $ev.Count | Should -BeGreaterOrEqual 1
        $ev[0].FullyQualifiedErrorId | Should -Be (& $script:ErrId 'RegistryUnreachable')
        $ev[0].Exception.Message | Should -Match ([regex]::Escape($script:reg.Host))
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 40
    }

    It 'an unreachable registry gives RegistryUnreachable within the bound' {
        $port = Get-FreePort
        $sw = [Diagnostics.Stopwatch]::StartNew()
        { Publish-DockOptImage -Name $script:image -Registry "127.0.0.1:$port" -Repository 'x/y' -Tag a -RetryTimeout '00:00:03' -ErrorAction Stop } |
            Should -Throw -ErrorId (& $script:ErrId 'RegistryUnreachable')
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 8
    }
}

Describe 'Publish-DockOptImage with immutable tags (stand-in: a proxy in front of docker-registry rejecting tag overwrites as Amazon ECR does)' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:reg = Start-TestRegistry
        $script:proxyPort = Get-FreePort
        $script:other = New-TestImage -Tag "$(New-TestImageName 'dockopt-publish'):other" -Dockerfile "FROM dockopt/busybox:latest`nRUN echo $([guid]::NewGuid()) > /other"
        # The stand-in forwards every request to the real registry, except a manifest PUT on a tag that already exists,
        # which it rejects with ECR's TAG_INVALID answer for immutable repositories.
        # Tags named race-* model another client pushing the same image between DockOpt's lookup and its push: the stand-in
        # hides them from manifest GET/HEAD (404) until it has rejected a PUT on them; the rejected tags are recorded.
        # The listener is made here so AfterAll can stop it (a blocked GetContext() cannot be interrupted otherwise).
        $script:rejected = [System.Collections.Concurrent.ConcurrentDictionary[string, int]]::new()
        $script:listener = [System.Net.HttpListener]::new()
        $script:listener.Prefixes.Add("http://127.0.0.1:$($script:proxyPort)/")
        $script:listener.Start()
        $script:proxy = Start-ThreadJob -ArgumentList $script:listener, $script:proxyPort, $script:reg.Port, $script:rejected -ScriptBlock {
            param($l, $port, $upstream, $rejected)
            $http = [System.Net.Http.HttpClient]::new([System.Net.Http.HttpClientHandler]@{ AllowAutoRedirect = $false })
            $skip = 'Content-Length', 'Content-Type', 'Transfer-Encoding', 'Connection', 'Keep-Alive'
            while ($l.IsListening) {
                try { $c = $l.GetContext() } catch { return }
                try {
                    $q = $c.Request
                    $url = "http://127.0.0.1:$upstream$($q.Url.PathAndQuery)"
                    if ($q.HttpMethod -in 'GET', 'HEAD' -and $q.Url.AbsolutePath -match '^/v2/.+/manifests/(?<tag>race-[^/]+)$' -and -not $rejected.ContainsKey($Matches.tag)) {
                        $c.Response.StatusCode = 404
                        $c.Response.ContentType = 'application/json'
                        if ($q.HttpMethod -eq 'GET') {
                            $b = [Text.Encoding]::UTF8.GetBytes('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
                            $c.Response.OutputStream.Write($b, 0, $b.Length)
                        }
                        continue
                    }
                    if ($q.HttpMethod -eq 'PUT' -and $q.Url.AbsolutePath -match '^/v2/(?<repo>.+)/manifests/(?<tag>[^/]+)$' -and $Matches.tag -notmatch '^sha256:') {
                        $head = [System.Net.Http.HttpRequestMessage]::new('HEAD', "http://127.0.0.1:$upstream$($q.Url.AbsolutePath)")
                        $head.Headers.TryAddWithoutValidation('Accept', 'application/vnd.docker.distribution.manifest.v2+json') | Out-Null
                        if ($http.Send($head).StatusCode -eq 200) {
                            $rejected.AddOrUpdate($Matches.tag, 1, [Func[string, int, int]] { param($k, $v) $v + 1 }) | Out-Null
                            $c.Response.StatusCode = 400
                            $c.Response.ContentType = 'application/json'
                            $b = [Text.Encoding]::UTF8.GetBytes("{`"errors`":[{`"code`":`"TAG_INVALID`",`"message`":`"The image tag '$($Matches.tag)' already exists in the '$($Matches.repo)' repository and cannot be overwritten because the tag is immutable.`"}]}")
                            $c.Response.OutputStream.Write($b, 0, $b.Length)
                            continue
                        }
                    }
                    $m = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($q.HttpMethod), $url)
                    if ($q.HasEntityBody) {
                        $ms = [IO.MemoryStream]::new(); $q.InputStream.CopyTo($ms); $ms.Position = 0
                        $m.Content = [System.Net.Http.StreamContent]::new($ms)
                        if ($q.ContentType) { $m.Content.Headers.TryAddWithoutValidation('Content-Type', $q.ContentType) | Out-Null }
                    }
                    foreach ($h in $q.Headers.AllKeys) {
                        if ($h -in $skip -or $h -eq 'Host') { continue }
                        $m.Headers.TryAddWithoutValidation($h, $q.Headers[$h]) | Out-Null
                    }
                    $m.Headers.Host = "127.0.0.1:$port"
                    $r = $http.Send($m)
                    $c.Response.StatusCode = [int]$r.StatusCode
                    foreach ($h in @($r.Headers) + @($r.Content.Headers)) {
                        if ($h.Key -in $skip) { continue }
                        $c.Response.Headers[$h.Key] = ($h.Value -join ',')
                    }
                    if ($r.Content.Headers.ContentType) { $c.Response.ContentType = $r.Content.Headers.ContentType.ToString() }
                    $bytes = $r.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()
                    if ($q.HttpMethod -ne 'HEAD') { $c.Response.OutputStream.Write($bytes, 0, $bytes.Length) }
                    elseif ($r.Content.Headers.ContentLength) { $c.Response.ContentLength64 = $r.Content.Headers.ContentLength }
                }
                catch { $c.Response.StatusCode = 502 }
                finally { try { $c.Response.Close() } catch { } }
            }
        }
        $script:proxyHost = "127.0.0.1:$($script:proxyPort)"
        for ($i = 0; $i -lt 50 -and (& curl -s -o /dev/null -w '%{http_code}' "http://$($script:proxyHost)/v2/") -ne '200'; $i++) { Start-Sleep -Milliseconds 100 }
    }
    AfterAll {
        if ($script:listener) { $script:listener.Stop(); $script:listener.Close() }
        if ($script:proxy) { $null = Wait-Job $script:proxy -Timeout 10; Remove-Job $script:proxy -Force -ErrorAction SilentlyContinue }
        Stop-TestRegistry $script:reg
        Remove-TestImage $script:other
    }

    It 'a tag holding another image gives TagImmutable for that tag only; the other tags still publish' {
        $first = @(Publish-DockOptImage -Name $script:image -Registry $script:proxyHost -Repository 'imm/app' -Tag 'v1')
        $first.Status | Should -Be 'Pushed'
        $before = Get-RegistryDigest $script:reg 'imm/app' 'v1'
        $before | Should -Be $first.Digest

        $r = @(Publish-DockOptImage -Name $script:other -Registry $script:proxyHost -Repository 'imm/app' -Tag 'v1', 'v2' -ErrorVariable ev -ErrorAction SilentlyContinue)
        $r.Tag | Should -Be 'v2'
        $r.Status | Should -Be 'Pushed'
        $r.Digest | Should -Be (Get-RegistryDigest $script:reg 'imm/app' 'v2')
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be (& $script:ErrId 'TagImmutable')
        $ev[0].Exception.Message | Should -Match 'imm/app:v1'
        Get-RegistryDigest $script:reg 'imm/app' 'v1' | Should -Be $before -Because 'the immutable tag keeps its image'
    }

    It 'publishing the same image to an immutable tag again succeeds as Unchanged' {
        $r = @(Publish-DockOptImage -Name $script:image -Registry $script:proxyHost -Repository 'imm/app' -Tag 'v1')
        $r.Status | Should -Be 'Unchanged'
        $r.Digest | Should -Be (Get-RegistryDigest $script:reg 'imm/app' 'v1')
    }

    It 'an immutable-tag rejection for the same digest, after a lookup that missed the tag, counts as success (Unchanged)' {
        # The tag already holds this image: pushed straight to the registry, behind the stand-in's back.
        $direct = @(Publish-DockOptImage -Name $script:image -Registry "127.0.0.1:$($script:reg.Port)" -Repository 'imm/app' -Tag 'race-1')
        $direct.Status | Should -Be 'Pushed'
        $digest = Get-RegistryDigest $script:reg 'imm/app' 'race-1'
        $digest | Should -Be $direct.Digest

        $r = @(Publish-DockOptImage -Name $script:image -Registry $script:proxyHost -Repository 'imm/app' -Tag 'race-1' -ErrorVariable ev -ErrorAction SilentlyContinue -Verbose 4>&1)
        $verbose = @($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $r = @($r | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $ev.Count | Should -Be 0
        $script:rejected['race-1'] | Should -Be 1 -Because 'the lookup missed the tag, so the push reached the immutability rejection'
        $r.Count | Should -Be 1
        $r[0].Tag | Should -Be 'race-1'
        $r[0].Status | Should -Be 'Unchanged'
        $r[0].Digest | Should -Be $digest
        $r[0].ImageUri | Should -Be "$($script:proxyHost)/imm/app@$digest"
        $r[0].BytesPushed | Should -Be 0
        ($verbose.Message -join "`n") | Should -Match 'immutable and already holds this image'
        Get-RegistryDigest $script:reg 'imm/app' 'race-1' | Should -Be $digest
    }
}

Describe 'Publish-DockOptImage to Amazon ECR with AWS profiles (stand-ins: STS, IAM Identity Center portal and the ECR control plane, which cannot exist here)' -Tag 'RequiresDocker' {
    BeforeAll {
        # One stand-in on 127.0.0.1 answers STS AssumeRole (XML), the IAM Identity Center portal (GetRoleCredentials, JSON) and
        # the ECR control plane, which refuses GetAuthorizationToken with AccessDeniedException so the publish ends before any
        # push; it records the access key ID each signed call used. DockOpt reaches STS and the portal only through the
        # AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_SSO variables the AWS SDKs document, and ECR through -EcrEndpointUrl.
        $script:awsPort = Get-FreePort
        $script:stsSecret = 'StsSecret' + [guid]::NewGuid().ToString('n'); $script:stsToken = 'StsToken' + [guid]::NewGuid().ToString('n')
        $script:ssoSecret = 'SsoSecret' + [guid]::NewGuid().ToString('n'); $script:ssoToken = 'SsoSession' + [guid]::NewGuid().ToString('n')
        $script:ssoAccess = 'SsoAccessToken' + [guid]::NewGuid().ToString('n')
        $script:baseSecret = 'BaseSecret' + [guid]::NewGuid().ToString('n')
        $script:procSecret = 'ProcSecret' + [guid]::NewGuid().ToString('n')
        $script:seenKeys = [System.Collections.Concurrent.ConcurrentQueue[string]]::new()
        $script:awsListener = [System.Net.HttpListener]::new()
        $script:awsListener.Prefixes.Add("http://127.0.0.1:$($script:awsPort)/")
        $script:awsListener.Start()
        $sts = "<AssumeRoleResponse xmlns=`"https://sts.amazonaws.com/doc/2011-06-15/`"><AssumeRoleResult><Credentials><AccessKeyId>ASIASTSSTANDIN</AccessKeyId><SecretAccessKey>$($script:stsSecret)</SecretAccessKey><SessionToken>$($script:stsToken)</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"
        $sso = "{`"roleCredentials`":{`"accessKeyId`":`"ASIASSOSTANDIN`",`"secretAccessKey`":`"$($script:ssoSecret)`",`"sessionToken`":`"$($script:ssoToken)`",`"expiration`":4070908800000}}"
        $script:awsJob = Start-ThreadJob -ArgumentList $script:awsListener, $sts, $sso, $script:ssoAccess, $script:seenKeys -ScriptBlock {
            param($l, $sts, $sso, $ssoAccess, $seen)
            while ($l.IsListening) {
                try { $c = $l.GetContext() } catch { return }
                try {
                    $q = $c.Request
                    $auth = "$($q.Headers['Authorization'])"
                    if ($auth -match 'Credential=([^/]+)/') { $seen.Enqueue($Matches[1]) }
                    $body = $null
                    if ($q.Url.AbsolutePath -eq '/federation/credentials') {
                        if ($q.Headers['x-amz-sso_bearer_token'] -eq $ssoAccess) { $c.Response.StatusCode = 200; $body = $sso } else { $c.Response.StatusCode = 401; $body = '{"message":"Session token not found or invalid"}' }
                    }
                    elseif ($q.Headers['X-Amz-Target']) { $c.Response.StatusCode = 400; $body = '{"__type":"AccessDeniedException","message":"User is not authorized to perform: ecr:GetAuthorizationToken"}' }
                    else { $c.Response.StatusCode = 200; $c.Response.ContentType = 'text/xml'; $body = $sts }
                    $b = [Text.Encoding]::UTF8.GetBytes($body); $c.Response.OutputStream.Write($b, 0, $b.Length)
                }
                catch { $c.Response.StatusCode = 500 }
                finally { try { $c.Response.Close() } catch { } }
            }
        }
        $script:awsHome = Join-Path ([IO.Path]::GetTempPath()) "dockopt-c-awshome-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Force -Path "$($script:awsHome)/.aws/sso/cache" | Out-Null
        $script:proc = Join-Path $script:awsHome 'creds.sh'
        Set-Content $script:proc "#!/bin/sh`nprintf '{`"Version`": 1, `"AccessKeyId`": `"ASIAPROCSTANDIN`", `"SecretAccessKey`": `"$($script:procSecret)`", `"Expiration`": `"2099-01-01T00:00:00Z`"}'`n"
        Set-Content "$($script:awsHome)/.aws/credentials" "[base]`naws_access_key_id = AKIABASESTANDIN`naws_secret_access_key = $($script:baseSecret)`n"
        Set-Content "$($script:awsHome)/.aws/config" @"
[profile role]
role_arn = arn:aws:iam::123456789012:role/publisher
source_profile = base
region = eu-west-1

[profile mfa]
role_arn = arn:aws:iam::123456789012:role/publisher
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/saanvi

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Publisher

[sso-session corp]
sso_region = eu-west-1
sso_start_url = https://d-abc123.awsapps.com/start

[profile proc]
credential_process = /bin/sh $($script:proc)
"@
        $sha1 = [BitConverter]::ToString([Security.Cryptography.SHA1]::HashData([Text.Encoding]::UTF8.GetBytes('corp'))).Replace('-', '').ToLowerInvariant()
        Set-Content "$($script:awsHome)/.aws/sso/cache/$sha1.json" "{`"accessToken`": `"$($script:ssoAccess)`", `"expiresAt`": `"2099-11-14T04:05:45Z`", `"region`": `"eu-west-1`", `"startUrl`": `"https://d-abc123.awsapps.com/start`"}"
        $script:saved = @{}
        foreach ($v in 'HOME', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_SSO', 'AWS_EC2_METADATA_DISABLED', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'DOCKER_CONFIG') {
            $script:saved[$v] = [Environment]::GetEnvironmentVariable($v)
        }
        $script:dockerCfg = Join-Path $script:awsHome 'docker'
        New-Item -ItemType Directory -Force -Path $script:dockerCfg | Out-Null
        $script:ecrHost = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'

        # Publishes to the ECR stand-in as AWS profile $Profile; returns every record (output, errors, verbose) as text and the errors.
        function Invoke-EcrPublish([string] $AwsProfile) {
            foreach ($v in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI') { [Environment]::SetEnvironmentVariable($v, $null) }
            $env:HOME = $script:awsHome; $env:AWS_PROFILE = $AwsProfile; $env:AWS_EC2_METADATA_DISABLED = 'true'; $env:DOCKER_CONFIG = $script:dockerCfg
            $env:AWS_CONFIG_FILE = "$($script:awsHome)/.aws/config"; $env:AWS_SHARED_CREDENTIALS_FILE = "$($script:awsHome)/.aws/credentials"
            $env:AWS_ENDPOINT_URL_STS = "http://127.0.0.1:$($script:awsPort)"; $env:AWS_ENDPOINT_URL_SSO = "http://127.0.0.1:$($script:awsPort)"
            $all = Publish-DockOptImage -Name $script:image -Destination "$($script:ecrHost)/app" -Tag 'aws' -EcrEndpointUrl "http://127.0.0.1:$($script:awsPort)/" `
                -MaxAttempts 1 -Verbose -ErrorVariable ev -ErrorAction SilentlyContinue *>&1 | Out-String
            [pscustomobject]@{ Errors = @($ev); Text = $all + ($ev | Out-String) + (($ev | ForEach-Object { $_.Exception.Message; $_.Exception.RecommendedAction; $_.ErrorDetails }) -join "`n") }
        }
        $script:secrets = { @($script:baseSecret, $script:stsSecret, $script:stsToken, $script:ssoSecret, $script:ssoToken, $script:ssoAccess, $script:procSecret) }
    }
    AfterAll {
        foreach ($k in $script:saved.Keys) { [Environment]::SetEnvironmentVariable($k, $script:saved[$k]) }
        if ($script:awsListener) { $script:awsListener.Stop(); $script:awsListener.Close() }
        if ($script:awsJob) { $null = Wait-Job $script:awsJob -Timeout 10; Remove-Job $script:awsJob -Force -ErrorAction SilentlyContinue }
        Remove-Item -Recurse -Force $script:awsHome -ErrorAction SilentlyContinue
    }
    AfterEach { foreach ($k in $script:saved.Keys) { [Environment]::SetEnvironmentVariable($k, $script:saved[$k]) } }

    It 'profile <AwsProfile> (role_arn + source_profile via the stand-in STS, sso-session via the stand-in portal, credential_process): its keys sign the ECR call; no secret anywhere' -TestCases @(
        @{ AwsProfile = 'role'; Key = 'ASIASTSSTANDIN' }, @{ AwsProfile = 'sso'; Key = 'ASIASSOSTANDIN' }, @{ AwsProfile = 'proc'; Key = 'ASIAPROCSTANDIN' }
    ) {
        param($AwsProfile, $Key)
        $r = Invoke-EcrPublish $AwsProfile
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -Be (& $script:ErrId 'EcrAccessDenied')
        @($script:seenKeys.ToArray()) | Should -Contain $Key   # the ECR stand-in saw a call signed with the profile's credentials
        foreach ($s in & $script:secrets) { $r.Text | Should -Not -Match $s }
    }

    It 'a role profile with mfa_serial is refused with AwsMfaNotSupported before any AWS call' {
        $before = $script:seenKeys.Count
        $r = Invoke-EcrPublish 'mfa'
        $r.Errors[0].FullyQualifiedErrorId | Should -Be (& $script:ErrId 'AwsMfaNotSupported')
        $r.Errors[0].Exception.Message | Should -Match 'arn:aws:iam::123456789012:mfa/saanvi'
        $script:seenKeys.Count | Should -Be $before
        foreach ($s in & $script:secrets) { $r.Text | Should -Not -Match $s }
    }
}
