# Copy-DockOptImage against real registries: the Bootstrap registry on 127.0.0.1:5000 and a second CNCF distribution
# (Debian's docker-registry) started here on a free port, with its access log read to see what was written.

BeforeDiscovery {
    $noHtpasswd = -not (Get-Command htpasswd -ErrorAction SilentlyContinue)   # apache2-utils writes the bcrypt htpasswd file
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    $script:ErrId = { param($id) "$id,DockOpt.Cmdlets.CopyDockOptImageCommand" }
    $script:Accept = 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'

    function Get-FreePort {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start(); $p = $l.LocalEndpoint.Port; $l.Stop(); return $p
    }

    function Start-SecondRegistry([string] $User, [string] $Password) {
        $port = Get-FreePort
        $dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-c-copy-reg-$port"
        New-Item -ItemType Directory -Force -Path "$dir/data" | Out-Null
        Set-Content "$dir/config.yml" @"
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
"@
        if ($User) {
            $line = & htpasswd -Bbn $User $Password
            Set-Content "$dir/htpasswd" ($line | Where-Object { $_ })
            Add-Content "$dir/config.yml" "auth:`n  htpasswd:`n    realm: dockopt-test`n    path: $dir/htpasswd"
        }
        $reg = [pscustomobject]@{ Port = $port; Host = "127.0.0.1:$port"; Dir = $dir; Log = "$dir/registry.log"; Url = "http://127.0.0.1:$port"; Process = $null }
        $reg.Process = Start-Process -FilePath docker-registry -ArgumentList 'serve', "$dir/config.yml" -RedirectStandardError $reg.Log -RedirectStandardOutput "$dir/stdout.log" -PassThru
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ([DateTime]::UtcNow -lt $deadline) {
            if ((& curl -s -o /dev/null -w '%{http_code}' "$($reg.Url)/v2/") -in '200', '401') { return $reg }
            Start-Sleep -Milliseconds 100
        }
        throw "docker-registry did not start on port $port`n$(Get-Content $reg.Log -Raw)"
    }

    # What a registry itself says (curl, not DockOpt): the digest under a tag or digest, or $null.
    function Get-Digest([string] $Url, [string] $Repo, [string] $Ref) {
        $h = & curl -sS -I -H "Accept: $script:Accept" "$Url/v2/$Repo/manifests/$Ref"
        if (-not ($h | Select-Object -First 1) -match ' 200') { return $null }
        $d = $h | Where-Object { $_ -match '^Docker-Content-Digest:' } | Select-Object -First 1
        if ($d) { return ($d -replace '^Docker-Content-Digest:\s*', '').Trim() } else { return $null }
    }
    function Get-Manifest([string] $Url, [string] $Repo, [string] $Ref) {
        (& curl -sS -H "Accept: $script:Accept" "$Url/v2/$Repo/manifests/$Ref") | ConvertFrom-Json
    }
    function Get-Writes($reg, [int] $From = 0) {
        @(Get-Content $reg.Log | Select-Object -Skip $From | Where-Object { $_ -match 'http\.request\.method=(POST|PATCH|PUT)' })
    }
    function Get-LogLength($reg) { @(Get-Content $reg.Log).Count }

    # A FROM scratch image for one platform (no emulation: nothing runs), pushed to 127.0.0.1:5000 with the docker CLI.
    function New-PlatformImage([string] $Ref, [string] $Platform, [int] $RandomBytes = 2048, [string] $From = 'scratch') {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        try {
            $bytes = [byte[]]::new($RandomBytes); [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
            [IO.File]::WriteAllBytes("$dir/payload", $bytes)
            Set-Content "$dir/Dockerfile" "FROM $From`nCOPY payload /payload-$([guid]::NewGuid().ToString('n'))"
            $savedBuildKit = $env:DOCKER_BUILDKIT
            $env:DOCKER_BUILDKIT = '0'   # for this docker CLI call only: later files build with the default (BuildKit)
            try { $out = & docker build -q --platform $Platform -t $Ref $dir 2>&1 }
            finally { $env:DOCKER_BUILDKIT = $savedBuildKit }
            if ($LASTEXITCODE -ne 0) { throw "docker build failed: $out" }
            $out = & docker push $Ref 2>&1
            if ($LASTEXITCODE -ne 0) { throw "docker push failed: $out" }
        }
        finally { Remove-Item -Recurse -Force $dir }
    }

    $script:src = '127.0.0.1:5000'
    $script:srcUrl = 'http://127.0.0.1:5000'
    $script:repo = New-TestImageName 'dockopt-c-copy'
    $script:amd = "$src/$repo`:amd64"
    $script:arm = "$src/$repo`:arm64"
    $script:big = "$src/$repo`:big"
    $script:child = "$src/$repo`:child"
    New-PlatformImage $amd 'linux/amd64'
    New-PlatformImage $arm 'linux/arm64'
    New-PlatformImage $big 'linux/amd64' -RandomBytes (300 * 1024)
    New-PlatformImage $child 'linux/amd64' -From $amd
    $script:local = @($amd, $arm, $big, $child)

    # An OCI index over the two platform manifests, written with curl (not DockOpt).
    $entries = foreach ($t in 'amd64', 'arm64') {
        $h = & curl -sS -I -H "Accept: $script:Accept" "$srcUrl/v2/$repo/manifests/$t"
        $digest = (($h | Where-Object { $_ -match '^Docker-Content-Digest:' }) -replace '^Docker-Content-Digest:\s*', '').Trim()
        $size = [long]((($h | Where-Object { $_ -match '^Content-Length:' }) -replace '^Content-Length:\s*', '').Trim())
        [ordered]@{ mediaType = 'application/vnd.docker.distribution.manifest.v2+json'; digest = $digest; size = $size; platform = [ordered]@{ architecture = $t; os = 'linux' } }
    }
    $script:childDigests = @{ 'linux/amd64' = $entries[0].digest; 'linux/arm64' = $entries[1].digest }
    $index = [ordered]@{ schemaVersion = 2; mediaType = 'application/vnd.oci.image.index.v1+json'; manifests = @($entries) } | ConvertTo-Json -Depth 5 -Compress
    $indexFile = Join-Path ([IO.Path]::GetTempPath()) "$repo-index.json"
    [IO.File]::WriteAllText($indexFile, $index)
    & curl -sS -f -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$indexFile" "$srcUrl/v2/$repo/manifests/multi" | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'could not PUT the test index' }
    $script:indexDigest = Get-Digest $srcUrl $repo 'multi'
    # An index listing that index and the amd64 manifest (the OCI image spec allows indexes in an index).
    $nested = [ordered]@{ schemaVersion = 2; mediaType = 'application/vnd.oci.image.index.v1+json'; manifests = @(
            [ordered]@{ mediaType = 'application/vnd.oci.image.index.v1+json'; digest = $script:indexDigest; size = [IO.File]::ReadAllBytes($indexFile).Length },
            $entries[0]) } | ConvertTo-Json -Depth 5 -Compress
    [IO.File]::WriteAllText($indexFile, $nested)
    & curl -sS -f -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$indexFile" "$srcUrl/v2/$repo/manifests/nested" | Out-Null
    $script:nestedDigest = Get-Digest $srcUrl $repo 'nested'

    $script:reg2 = Start-SecondRegistry
}

AfterAll {
    if ($script:authReg -and $script:authReg.Process -and -not $script:authReg.Process.HasExited) {
        Stop-Process -Id $script:authReg.Process.Id -Force -ErrorAction SilentlyContinue; $script:authReg.Process.WaitForExit(5000) | Out-Null
        Remove-Item -Recurse -Force $script:authReg.Dir -ErrorAction SilentlyContinue
    }
    foreach ($r in $script:local) { & docker image rm -f $r *> $null }
    if ($script:reg2 -and $script:reg2.Process -and -not $script:reg2.Process.HasExited) {
        Stop-Process -Id $script:reg2.Process.Id -Force -ErrorAction SilentlyContinue; $script:reg2.Process.WaitForExit(5000) | Out-Null
    }
    if ($script:reg2) { Remove-Item -Recurse -Force $script:reg2.Dir -ErrorAction SilentlyContinue }
}

Describe 'Copy-DockOptImage between two registries' -Tag 'RequiresDocker' {
    It 'copies one image with its digest; every blob is streamed in one PATCH and counted' {
        $from = Get-LogLength $reg2
        $r = Copy-DockOptImage $amd -Destination "$($reg2.Host)/c/one"
        $srcDigest = Get-Digest $srcUrl $repo 'amd64'
        $r.Digest | Should -Be $srcDigest
        Get-Digest $reg2.Url 'c/one' 'amd64' | Should -Be $srcDigest
        $m = Get-Manifest $srcUrl $repo 'amd64'
        $r.BlobsCopied | Should -Be ($m.layers.Count + 1)
        $r.BytesSent | Should -Be ($m.config.size + ($m.layers | Measure-Object size -Sum).Sum)
        $r.Status | Should -Be 'Copied'
        $r.Platforms | Should -Be @('linux/amd64')
        $r.MediaType | Should -Be 'application/vnd.docker.distribution.manifest.v2+json'
        $r.ImageUri | Should -Be "$($reg2.Host)/c/one@$srcDigest"
        @(Get-Writes $reg2 $from | Where-Object { $_ -match 'method=PATCH' }).Count | Should -Be $r.BlobsCopied
    }

    It 'copying again sends nothing: Unchanged, no write in the destination log' {
        $from = Get-LogLength $reg2
        $r = Copy-DockOptImage $amd -Destination "$($reg2.Host)/c/one"
        $r.Status | Should -Be 'Unchanged'
        $r.BlobsCopied + $r.BytesSent | Should -Be 0
        Get-Writes $reg2 $from | Should -BeNullOrEmpty
    }

    It 'copies the blobs of a six-layer image three at a time (the registry''s log: upload sessions overlap, never more than 3)' {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        $six = "$src/$repo`:six"
        try {
            $lines = @('FROM scratch')
            for ($i = 1; $i -le 6; $i++) {
                $bytes = [byte[]]::new(2MB); [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
                [IO.File]::WriteAllBytes("$dir/part$i", $bytes)
                $lines += "COPY part$i /part$i"
            }
            Set-Content "$dir/Dockerfile" ($lines -join "`n")
            $savedBuildKit = $env:DOCKER_BUILDKIT
            $env:DOCKER_BUILDKIT = '0'
            try { $out = & docker build -q -t $six $dir 2>&1 } finally { $env:DOCKER_BUILDKIT = $savedBuildKit }
            if ($LASTEXITCODE -ne 0) { throw "docker build failed: $out" }
            $out = & docker push $six 2>&1
            if ($LASTEXITCODE -ne 0) { throw "docker push failed: $out" }
        }
        finally { Remove-Item -Recurse -Force $dir; & docker image rm -f $six *> $null }
        $from = Get-LogLength $reg2
        $r = Copy-DockOptImage $six "$($reg2.Host)/c/six"
        $m = Get-Manifest $srcUrl $repo 'six'
        $m.layers.Count | Should -Be 6
        $r.BlobsCopied | Should -Be 7
        $r.BytesSent | Should -Be ($m.config.size + ($m.layers | Measure-Object size -Sum).Sum)
        Get-Digest $reg2.Url 'c/six' 'six' | Should -Be (Get-Digest $srcUrl $repo 'six')
        # Each upload session (its id in the upload URL) from its first PATCH's start (end - duration) to its PUT's end.
        $sessions = @{}
        foreach ($line in (Get-Content $reg2.Log | Select-Object -Skip $from | Where-Object { $_ -match 'msg="response completed"' -and $_ -match 'http\.request\.method=(PATCH|PUT)' -and $_ -match '/blobs/uploads/(?<id>[0-9a-f-]{36})' })) {
            $id = ([regex]::Match($line, '/blobs/uploads/(?<id>[0-9a-f-]{36})')).Groups['id'].Value
            $end = [DateTimeOffset]::Parse(([regex]::Match($line, 'time="(?<t>[^"]+)"')).Groups['t'].Value).UtcDateTime
            $dur = ([regex]::Match($line, 'http\.response\.duration=(?<d>[0-9.]+)(?<u>ms|s|µs)')).Groups
            $ms = [double]$dur['d'].Value * $(switch ($dur['u'].Value) { 's' { 1000 } 'ms' { 1 } default { 0.001 } })
            $start = $end.AddMilliseconds(-$ms)
            if (-not $sessions.ContainsKey($id)) { $sessions[$id] = [pscustomobject]@{ Start = $start; End = $end } }
            else { if ($start -lt $sessions[$id].Start) { $sessions[$id].Start = $start }; if ($end -gt $sessions[$id].End) { $sessions[$id].End = $end } }
        }
        $sessions.Count | Should -Be 7
        # Sessions open at once: the most open at any session's start.
        $overlap = ($sessions.Values | ForEach-Object { $t = $_.Start; @($sessions.Values | Where-Object { $_.Start -le $t -and $_.End -gt $t }).Count } | Measure-Object -Maximum).Maximum
        $overlap | Should -BeLessOrEqual 3
        $overlap | Should -BeGreaterOrEqual 2
    }

    It 'skips blobs the destination already has (HEAD): a child image sends only its own layer' {
        $r = Copy-DockOptImage $child -Destination "$($reg2.Host)/c/one"
        $m = Get-Manifest $srcUrl $repo 'child'
        $r.BlobsSkipped | Should -Be ($m.layers.Count - 1)
        $r.BlobsCopied | Should -Be 2   # its config and its own layer
        $r.BytesSent | Should -Be ($m.config.size + $m.layers[-1].size)
        Get-Digest $reg2.Url 'c/one' 'child' | Should -Be (Get-Digest $srcUrl $repo 'child')
    }

    It 'streams a blob larger than the chunk size in PATCH chunks; the digest is kept' {
        $from = Get-LogLength $reg2
        $r = Copy-DockOptImage $big -Destination "$($reg2.Host)/c/big:v1" -ChunkSize 65536
        Get-Digest $reg2.Url 'c/big' 'v1' | Should -Be (Get-Digest $srcUrl $repo 'big')
        $r.Digest | Should -Be (Get-Digest $srcUrl $repo 'big')
        @(Get-Writes $reg2 $from | Where-Object { $_ -match 'method=PATCH' }).Count | Should -BeGreaterOrEqual 4
    }

    It 'copies a whole OCI index: every child manifest by digest, then the index with its own digest' {
        $r = Copy-DockOptImage "docker://$src/$repo`:multi" -Destination "$($reg2.Host)/c/multi"
        $r.Digest | Should -Be $indexDigest
        Get-Digest $reg2.Url 'c/multi' 'multi' | Should -Be $indexDigest
        foreach ($p in $childDigests.Keys) { Get-Digest $reg2.Url 'c/multi' $childDigests[$p] | Should -Be $childDigests[$p] }
        $r.MediaType | Should -Be 'application/vnd.oci.image.index.v1+json'
        ($r.Platforms | Sort-Object) | Should -Be @('linux/amd64', 'linux/arm64')
        $r.ManifestsCopied | Should -Be 3
    }

    It 'copies an index that lists an index: the inner index and its children first, every digest kept' {
        $r = Copy-DockOptImage "$src/$repo`:nested" "$($reg2.Host)/c/nested"
        $r.Digest | Should -Be $nestedDigest
        Get-Digest $reg2.Url 'c/nested' 'nested' | Should -Be $nestedDigest
        Get-Digest $reg2.Url 'c/nested' $indexDigest | Should -Be $indexDigest
        foreach ($p in $childDigests.Keys) { Get-Digest $reg2.Url 'c/nested' $childDigests[$p] | Should -Be $childDigests[$p] }
    }

    It '-Platform copies one platform out of the index: the destination tag is that image manifest' {
        $r = Copy-DockOptImage "$src/$repo`:multi" "$($reg2.Host)/c/arm:only" -Platform linux/arm64
        $r.Digest | Should -Be $childDigests['linux/arm64']
        Get-Digest $reg2.Url 'c/arm' 'only' | Should -Be $childDigests['linux/arm64']
        Get-Digest $reg2.Url 'c/arm' $childDigests['linux/amd64'] | Should -BeNullOrEmpty
    }

    It 'a platform the index does not offer is PlatformNotFound, naming what it offers' {
        Copy-DockOptImage "$src/$repo`:multi" "$($reg2.Host)/c/arm:s390x" -Platform linux/s390x -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be (& $ErrId 'PlatformNotFound')
        $err[0].Exception.Message | Should -Match 'linux/amd64, linux/arm64'
    }

    It 'a wildcard in the tag copies every matching tag under its own name' {
        $r = @(Copy-DockOptImage "$src/$repo`:a*64" "$($reg2.Host)/c/wild")
        $r.Count | Should -Be 2
        Get-Digest $reg2.Url 'c/wild' 'amd64' | Should -Be (Get-Digest $srcUrl $repo 'amd64')
        Get-Digest $reg2.Url 'c/wild' 'arm64' | Should -Be (Get-Digest $srcUrl $repo 'arm64')
    }

    It '-WhatIf writes nothing' {
        $from = Get-LogLength $reg2
        Copy-DockOptImage $amd "$($reg2.Host)/c/whatif" -WhatIf | Should -BeNullOrEmpty
        Get-Writes $reg2 $from | Should -BeNullOrEmpty
        Get-Digest $reg2.Url 'c/whatif' 'amd64' | Should -BeNullOrEmpty
    }

    It 'a missing source is CopySourceNotFound; a reference without a registry host is InvalidCopySource' {
        Copy-DockOptImage "$src/$repo`:nope" "$($reg2.Host)/c/x" -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -Be (& $ErrId 'CopySourceNotFound')
        Copy-DockOptImage 'busybox:1.36' "$($reg2.Host)/c/x" -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -Be (& $ErrId 'InvalidCopySource')
    }
}

Describe 'Copy-DockOptImage within one registry' -Tag 'RequiresDocker' {
    It 'mounts every blob across repositories (nothing uploaded); the digest is kept' {
        $dest = "$(New-TestImageName 'dockopt-c-copy')-mounted"
        $r = Copy-DockOptImage $amd "$src/$dest`:m"
        $m = Get-Manifest $srcUrl $repo 'amd64'
        $r.BlobsMounted | Should -Be ($m.layers.Count + 1)
        $r.BlobsCopied | Should -Be 0
        $r.BytesSent | Should -Be 0
        Get-Digest $srcUrl $dest 'm' | Should -Be (Get-Digest $srcUrl $repo 'amd64')
    }

    It 'publishes to the pipeline: a PublishResult binds its reference' {
        $dest = "$(New-TestImageName 'dockopt-c-copy')-piped"
        $pr = [DockOpt.PublishResult]@{ Registry = $src; Repository = $repo; Tag = 'arm64' }
        $r = $pr | Copy-DockOptImage -Destination "$src/$dest"
        Get-Digest $srcUrl $dest 'arm64' | Should -Be (Get-Digest $srcUrl $repo 'arm64')
        $r.Platforms | Should -Be @('linux/arm64')
    }
}

Describe 'Copy-DockOptImage with htpasswd basic auth at one end' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:pw = 'Pw-' + [guid]::NewGuid().ToString('n')
        $script:hasHtpasswd = [bool](Get-Command htpasswd -ErrorAction SilentlyContinue)
        if ($script:hasHtpasswd) { $script:authReg = Start-SecondRegistry -User 'copier' -Password $script:pw }
        $script:cred = [pscredential]::new('copier', (ConvertTo-SecureString $script:pw -AsPlainText -Force))
    }

    It 'copies into it with -Credential and out of it with -SourceCredential; digests kept' -Skip:$noHtpasswd {
        $in = Copy-DockOptImage $amd "$($authReg.Host)/c/auth" -Credential $cred
        $in.AuthSource | Should -Be 'anonymous -> Credential'
        $h = & curl -sS -I -u "copier:$($script:pw)" -H "Accept: $script:Accept" "$($authReg.Url)/v2/c/auth/manifests/amd64"
        (($h | Where-Object { $_ -match '^Docker-Content-Digest:' }) -replace '^Docker-Content-Digest:\s*', '').Trim() | Should -Be (Get-Digest $srcUrl $repo 'amd64')
        $out = Copy-DockOptImage "$($authReg.Host)/c/auth:amd64" "$($reg2.Host)/c/fromauth" -SourceCredential $cred
        Get-Digest $reg2.Url 'c/fromauth' 'amd64' | Should -Be (Get-Digest $srcUrl $repo 'amd64')
        $out.AuthSource | Should -Be 'Credential -> anonymous'
    }

    It 'a wrong password is RegistryAuthenticationFailed naming the registry, and the password appears nowhere' -Skip:$noHtpasswd {
        $bad = 'Wrong-' + [guid]::NewGuid().ToString('n')
        $badCred = [pscredential]::new('copier', (ConvertTo-SecureString $bad -AsPlainText -Force))
        $all = Copy-DockOptImage $arm "$($authReg.Host)/c/auth" -Credential $badCred -Verbose -ErrorVariable ev -ErrorAction SilentlyContinue *>&1 | Out-String
        $ev[0].FullyQualifiedErrorId | Should -Be (& $ErrId 'RegistryAuthenticationFailed')
        $ev[0].Exception.Message | Should -Match ([regex]::Escape($authReg.Host))
        $text = $all + ($ev | Out-String) + $ev[0].Exception.Message
        $text | Should -Not -Match $bad
        $text | Should -Not -Match ([regex]::Escape([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("copier:$bad"))))
    }
}

Describe 'Copy-DockOptImage within a registry with a bearer-token realm' -Tag 'RequiresDocker' {
    # The real CNCF registry in 'auth: token' mode, verifying the JWTs of DockOpt's test token issuer (tests/tools/token_issuer.py).
    BeforeAll {
        $script:tokenProblem = $null
        foreach ($tool in 'docker-registry', 'openssl', 'python3') {
            if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { $script:tokenProblem = "no $tool (build.ps1 Bootstrap installs it)" }
        }
        if (-not $script:tokenProblem) {
            & python3 -c 'import cryptography' 2>$null
            if ($LASTEXITCODE -ne 0) { $script:tokenProblem = 'python3 has no cryptography module (apt-get install python3-cryptography)' }
        }
        if (-not $script:tokenProblem) {
            $port = Get-FreePort
            $tport = Get-FreePort
            $dir = Join-Path ([IO.Path]::GetTempPath()) "dockopt-c-copy-token-$port"
            New-Item -ItemType Directory -Force -Path "$dir/data" | Out-Null
            $script:tokenReg = [pscustomobject]@{ Port = $port; Host = "127.0.0.1:$port"; Dir = $dir; Log = "$dir/registry.log"; Url = "http://127.0.0.1:$port"
                TokenLog = "$dir/token.log"; User = 'copier'; Password = 'Pw-' + [guid]::NewGuid().ToString('n'); Password2 = 'Pw2-' + [guid]::NewGuid().ToString('n')
                Process = $null; Issuer = $null }
            & openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=DockOpt test token issuer' -keyout "$dir/token.key" -out "$dir/token.crt" 2>$null
            if ($LASTEXITCODE -ne 0) { throw 'openssl could not make the token signing certificate' }
            $script:tokenReg.Issuer = Start-Process -FilePath python3 -ArgumentList (Join-Path $PSScriptRoot 'tools/token_issuer.py'), $tport, "$dir/token.key", "$dir/token.crt", 'dockopt-c-issuer', $script:tokenReg.User, $script:tokenReg.Password, $script:tokenReg.TokenLog, "pusher:$($script:tokenReg.Password2):team/dst2" -PassThru -RedirectStandardError "$dir/issuer.err"
            $td = [DateTime]::UtcNow.AddSeconds(15)
            while ([DateTime]::UtcNow -lt $td -and (& curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tport/token") -ne '401') { Start-Sleep -Milliseconds 100 }
            Set-Content "$dir/config.yml" "version: 0.1`nlog:`n  level: info`n  accesslog:`n    disabled: false`nstorage:`n  filesystem:`n    rootdirectory: $dir/data`nhttp:`n  addr: 127.0.0.1:$port`nauth:`n  token:`n    realm: http://127.0.0.1:$tport/token`n    service: dockopt-c-registry`n    issuer: dockopt-c-issuer`n    rootcertbundle: $dir/token.crt`n"
            $script:tokenReg.Process = Start-Process -FilePath docker-registry -ArgumentList 'serve', "$dir/config.yml" -RedirectStandardError $script:tokenReg.Log -RedirectStandardOutput "$dir/stdout.log" -PassThru
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ([DateTime]::UtcNow -lt $deadline -and (& curl -s -o /dev/null -w '%{http_code}' "$($script:tokenReg.Url)/v2/") -ne '401') { Start-Sleep -Milliseconds 100 }
            $script:tokenCred = [pscredential]::new($script:tokenReg.User, (ConvertTo-SecureString $script:tokenReg.Password -AsPlainText -Force))
            # A second account that may only use team/dst2: its tokens never carry pull on team/src.
            $script:pusherCred = [pscredential]::new('pusher', (ConvertTo-SecureString $script:tokenReg.Password2 -AsPlainText -Force))
        }
    }
    AfterAll {
        if ($script:tokenReg) {
            foreach ($p in $script:tokenReg.Process, $script:tokenReg.Issuer) { if ($p -and -not $p.HasExited) { Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue; $p.WaitForExit(5000) | Out-Null } }
            Remove-Item -Recurse -Force $script:tokenReg.Dir -ErrorAction SilentlyContinue
        }
    }

    It 'mounts every blob across repositories with one token holding push,pull on the target and pull on the source; nothing uploaded' {
        if ($script:tokenProblem) { Set-ItResult -Skipped -Because $script:tokenProblem; return }
        $t = $script:tokenReg
        $in = Copy-DockOptImage $big "$($t.Host)/team/src" -Credential $script:tokenCred
        $in.BlobsCopied | Should -BeGreaterThan 0
        $from = Get-LogLength $t
        $r = Copy-DockOptImage "$($t.Host)/team/src:big" "$($t.Host)/team/dst:m" -Credential $script:tokenCred -SourceCredential $script:tokenCred
        $m = Get-Manifest $srcUrl $repo 'big'
        $r.BlobsMounted | Should -Be ($m.layers.Count + 1)
        $r.BlobsCopied | Should -Be 0
        $r.BytesSent | Should -Be 0
        $r.Digest | Should -Be (Get-Digest $srcUrl $repo 'big')
        # The registry's own log: every blob POST was a mount answered 201 Created; no PATCH.
        $writes = @(Get-Writes $t $from)
        $mounts = @($writes | Where-Object { $_ -match 'method=POST' -and $_ -match 'mount=sha256' -and $_ -match 'http\.response\.status=201' })
        $mounts.Count | Should -Be ($m.layers.Count + 1) -Because ($writes -join "`n")
        @($writes | Where-Object { $_ -match 'method=PATCH' }) | Should -BeNullOrEmpty
        # One token asked for push,pull on the target and pull on the source (the Docker token spec's cross-repository mount).
        Get-Content $t.TokenLog | Should -Contain 'service=dockopt-c-registry&scope=repository%3Ateam%2Fdst%3Apull%2Cpush&scope=repository%3Ateam%2Fsrc%3Apull' -Because (Get-Content $t.TokenLog -Raw)
        $h = & curl -sS -I -H "Accept: $script:Accept" -H "Authorization: Bearer $((& curl -sS -u "$($t.User):$($t.Password)" "$((Get-Content "$($t.Dir)/config.yml" | Where-Object { $_ -match 'realm:' }) -replace '^\s*realm:\s*', '')?service=dockopt-c-registry&scope=repository:team/dst:pull" | ConvertFrom-Json).token)" "$($t.Url)/v2/team/dst/manifests/m"
        (($h | Where-Object { $_ -match '^Docker-Content-Digest:' }) -replace '^Docker-Content-Digest:\s*', '').Trim() | Should -Be (Get-Digest $srcUrl $repo 'big')
    }

    It 'uploads instead when the destination account may not pull the source (the token service leaves that scope out); digests kept' {
        if ($script:tokenProblem) { Set-ItResult -Skipped -Because $script:tokenProblem; return }
        $t = $script:tokenReg
        $null = Copy-DockOptImage $big "$($t.Host)/team/src" -Credential $script:tokenCred
        $from = Get-LogLength $t
        $r = Copy-DockOptImage "$($t.Host)/team/src:big" "$($t.Host)/team/dst2:f" -Credential $script:pusherCred -SourceCredential $script:tokenCred -Verbose 4>&1 |
            Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $m = Get-Manifest $srcUrl $repo 'big'
        $r.BlobsMounted | Should -Be 0
        $r.BlobsCopied | Should -Be ($m.layers.Count + 1)
        $r.BytesSent | Should -Be ($m.config.size + ($m.layers | Measure-Object size -Sum).Sum)
        $r.Digest | Should -Be (Get-Digest $srcUrl $repo 'big')
        # One refused mount, then plain uploads: the registry saw one mount POST answered 401 and one PATCH per blob.
        $writes = @(Get-Writes $t $from)
        @($writes | Where-Object { $_ -match 'msg="response completed"' -and $_ -match 'method=PATCH' }).Count | Should -Be ($m.layers.Count + 1)
        @($all | Where-Object { "$_" -match 'refused to mount' }).Count | Should -BeGreaterOrEqual 1
    }
}
