BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
}

Describe 'Invoke-DockOptScan and Get-DockOptPackage on real images' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:repo = New-TestImageName 'dockopt-scan'
        # Credentials are generated per run: nothing credential-shaped is committed.
        $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
        function New-FakeAwsKeyId { 'AKIA' + -join (1..16 | ForEach-Object { $alphabet[(Get-Random -Maximum 32)] }) }
        $script:envKey = New-FakeAwsKeyId
        $script:labelKey = New-FakeAwsKeyId
        $bytes = [byte[]]::new(240); [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
        $b64 = [Convert]::ToBase64String($bytes)
        $script:keyBody = ($b64 -split '(.{64})' | Where-Object { $_ }) -join "`n"
        $pem = "-----BEGIN RSA PRIVATE KEY-----`n$($script:keyBody)`n-----END RSA PRIVATE KEY-----`n"
        $example = "[default]`naws_access_key_id = AKIAIOSFODNN7EXAMPLE`naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`n"

        $script:base = @(& docker image inspect dockopt/busybox:latest --format '{{json .RootFS.Layers}}' | ConvertFrom-Json)
        $script:secImg = New-TestImage -Tag "$($script:repo):secrets" -Files @{ 'id_rsa' = $pem; 'example.cfg' = $example } -Dockerfile @"
FROM dockopt/busybox:latest
COPY id_rsa /app/id_rsa
RUN rm /app/id_rsa
ENV AWS_ACCESS_KEY_ID=$($script:envKey) DOCS_KEY=AKIAIOSFODNN7EXAMPLE
LABEL deploy.token="$($script:labelKey)"
COPY example.cfg /app/example.cfg
RUN cp /bin/busybox /app/suidbin && chmod 4755 /app/suidbin
USER 0
"@
        $alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
        $script:ghToken = 'ghp_' + -join (1..36 | ForEach-Object { $alnum[(Get-Random -Maximum 62)] })
        $script:uidImg = New-TestImage -Tag "$($script:repo):uid0" -Dockerfile @"
FROM dockopt/busybox:latest
ARG GH_TOKEN=$($script:ghToken)
RUN echo building > /built.txt
RUN mkdir -p /etc && echo 'root:x:0:0:root:/root:/bin/sh' >> /etc/passwd && echo 'svc:x:0:0:svc:/:/bin/sh' >> /etc/passwd
USER svc
"@
        $script:okImg = New-TestImage -Tag "$($script:repo):ok" -Dockerfile @"
FROM dockopt/busybox:latest
RUN mkdir -p /etc && echo 'app:x:1000:1000::/:/bin/sh' >> /etc/passwd
USER app
HEALTHCHECK CMD ["true"]
"@
        # A decoy sharing the base's only layer with a longer, metadata-only history: must not be taken as the base.
        $script:decoy = New-TestImage -Tag "$($script:repo):decoy" -Dockerfile "FROM dockopt/busybox:latest`nLABEL a=b`nENV C=d`nCMD [`"sh`"]`n"
        $script:secLayers = @(& docker image inspect $script:secImg --format '{{json .RootFS.Layers}}' | ConvertFrom-Json)
        $script:tmp = Join-Path ([IO.Path]::GetTempPath()) ("dockopt-scan-" + [guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $script:tmp | Out-Null
        # An empty default vulnerability database: the user's own must not change these results.
        $script:oldVulnDb = $env:DOCKOPT_VULNDB
        $env:DOCKOPT_VULNDB = Join-Path $script:tmp 'vulndb-empty'
        $script:report = Invoke-DockOptScan $script:secImg -NoTrivy -Scanner Secret, Config -WarningAction SilentlyContinue
    }
    AfterAll {
        $env:DOCKOPT_VULNDB = $script:oldVulnDb
        Remove-TestImage $script:secImg, $script:uidImg, $script:okImg, $script:decoy
        if ($script:tmp) { Remove-Item -Recurse -Force $script:tmp -ErrorAction SilentlyContinue }
    }

    It 'finds a private key written in one layer and deleted in the next as RemovedButExtractable in the right layer' {
        $f = @($script:report.Findings | Where-Object RuleId -eq 'DO-SEC-PRIVATE-KEY')
        $f.Count | Should -Be 1
        $f[0].Location | Should -Be '/app/id_rsa:1'
        $f[0].Status | Should -Be 'RemovedButExtractable'
        $f[0].Layer | Should -Be $script:base.Count          # the COPY layer, the first after the base
        $f[0].LayerDiffId | Should -Be $script:secLayers[$script:base.Count]
        $f[0].IsBaseLayer | Should -BeFalse
        $f[0].Match | Should -Not -Match ([regex]::Escape(($script:keyBody -split "`n")[0]))
    }

    It 'finds the AWS keys in ENV and in a label and never prints them' {
        $envF = @($script:report.Findings | Where-Object { $_.RuleId -eq 'DO-CFG-007' -and $_.Location -eq 'ENV:AWS_ACCESS_KEY_ID' })
        $envF.Count | Should -Be 1
        $envF[0].Severity | Should -Be 'Critical'
        $lab = @($script:report.Findings | Where-Object { $_.RuleId -eq 'DO-CFG-009' -and $_.Location -eq 'LABEL:deploy.token' })
        $lab.Count | Should -Be 1
        $all = $script:report | ConvertTo-Json -Depth 6
        $all | Should -Not -Match $script:envKey
        $all | Should -Not -Match $script:labelKey
    }

    It "does not report AWS's published example key (ENV or file)" {
        @($script:report.Findings | Where-Object { $_.Location -eq 'ENV:DOCS_KEY' -or $_.Location -like '/app/example.cfg*' }).Count | Should -Be 0
        @($script:report.Findings | Where-Object Match -match 'EXAMPLE').Count | Should -Be 0
    }

    It 'lists the setuid binary with its layer and flags USER 0 as root' {
        $s = @($script:report.Findings | Where-Object { $_.RuleId -eq 'DO-CFG-002' -and $_.Location -eq '/app/suidbin' })
        $s.Count | Should -Be 1
        $s[0].Match | Should -Be '4755'
        $s[0].LayerDiffId | Should -Be $script:secLayers[-1]
        $root = @($script:report.Findings | Where-Object RuleId -eq 'DO-CFG-001')
        $root.Count | Should -Be 1
        $root[0].Match | Should -Be '0'
        $root[0].Cis | Should -Be '4.1'
    }

    It 'flags a UID-0 user with another name, and not a real non-root user' {
        $u = Invoke-DockOptScan $script:uidImg -NoTrivy -Scanner Config
        $r = @($u.Findings | Where-Object RuleId -eq 'DO-CFG-001')
        $r.Count | Should -Be 1
        $r[0].Title | Should -Match "'svc' has UID 0"
        $ok = Invoke-DockOptScan $script:okImg -NoTrivy -Scanner Config
        @($ok.Findings | Where-Object RuleId -eq 'DO-CFG-001').Count | Should -Be 0
        @($ok.Findings | Where-Object RuleId -eq 'DO-CFG-012').Count | Should -Be 0
        @($u.Findings | Where-Object RuleId -eq 'DO-CFG-012').Count | Should -Be 1
    }

    It 'finds a token passed as a build argument (recorded in the history) without printing it' {
        $r = Invoke-DockOptScan $script:uidImg -NoTrivy -Scanner Config
        $a = @($r.Findings | Where-Object RuleId -eq 'DO-CFG-008')
        $a.Count | Should -Be 1
        $a[0].Location | Should -Match '^ARG:GH_TOKEN \(history \d+\)$'
        $a[0].IsBaseLayer | Should -BeFalse                     # even with the decoy image present
        ($r | ConvertTo-Json -Depth 6) | Should -Not -Match $script:ghToken
    }

    It 'writes SARIF and JSON reports without the secrets' {
        $sarif = Join-Path $script:tmp 'scan.sarif'
        $json = Join-Path $script:tmp 'scan.json'
        $null = Invoke-DockOptScan $script:secImg -NoTrivy -Format Sarif -OutFile $sarif -WarningAction SilentlyContinue
        $null = Invoke-DockOptScan $script:secImg -NoTrivy -Format Json -OutFile $json -WarningAction SilentlyContinue
        $s = Get-Content $sarif -Raw
        $doc = $s | ConvertFrom-Json
        $doc.version | Should -Be '2.1.0'
        @($doc.runs[0].results | Where-Object ruleId -eq 'DO-SEC-PRIVATE-KEY').Count | Should -Be 1
        ($doc.runs[0].tool.driver.rules | Where-Object id -eq 'DO-CFG-001').properties.cis | Should -Be '4.1'
        $j = Get-Content $json -Raw
        ($j | ConvertFrom-Json).Score | Should -Be $script:report.Score
        foreach ($text in $s, $j) {
            $text | Should -Not -Match $script:envKey
            $text | Should -Not -Match $script:labelKey
            $text | Should -Not -Match ([regex]::Escape(($script:keyBody -split "`n")[1]))
        }
        @(Get-ChildItem $script:tmp -Filter '*.tmp' -Force).Count | Should -Be 0
    }

    It 'score equals 100 minus the sum of the per-finding deductions' {
        $sum = ($script:report.Findings | Measure-Object Deduction -Sum).Sum + ($script:report.Vulnerabilities | Measure-Object Deduction -Sum).Sum
        $script:report.Score | Should -Be ([math]::Max(0, [math]::Round(100 - $sum, [MidpointRounding]::AwayFromZero)))
        $script:report.Outcome | Should -Be 'Passed'
        $script:report.SecretCount | Should -BeGreaterOrEqual 3
    }

    It 'gates once after all images with SecurityGateFailed, and passes a clean image' {
        $out = [System.Collections.Generic.List[object]]::new()
        { Invoke-DockOptScan $script:secImg, $script:okImg -NoTrivy -Scanner Secret, Config -FailOn Critical -WarningAction SilentlyContinue | ForEach-Object { $out.Add($_) } } |
            Should -Throw -ErrorId 'SecurityGateFailed,DockOpt.Cmdlets.InvokeDockOptScanCommand'
        $out.Count | Should -Be 2                                 # both reports written before the one terminating error
        ($out | Where-Object Image -eq $script:secImg).Outcome | Should -Be 'PolicyFailed'
        ($out | Where-Object Image -eq $script:okImg).Outcome | Should -Be 'Passed'
        $pass = Invoke-DockOptScan $script:okImg -NoTrivy -Scanner Secret, Config -FailOn Critical -WarningAction SilentlyContinue
        $pass.Outcome | Should -Be 'Passed'
    }

    It 'fails closed: a vulnerability gate without vulnerability data is SecurityScanIncomplete, never a pass' {
        $out = [System.Collections.Generic.List[object]]::new()
        { Invoke-DockOptScan $script:okImg -NoTrivy -FailOn Critical -WarningAction SilentlyContinue | ForEach-Object { $out.Add($_) } } |
            Should -Throw -ErrorId 'SecurityScanIncomplete,DockOpt.Cmdlets.InvokeDockOptScanCommand'
        $out[0].Outcome | Should -Be 'Incomplete'
        $out[0].Errors | Should -Match 'no vulnerability data'
        $empty = Join-Path $script:tmp 'empty-db'
        New-Item -ItemType Directory -Path $empty -Force | Out-Null
        { Invoke-DockOptScan $script:okImg -NoTrivy -VulnerabilityDatabase $empty, $empty -FailOn Critical -WarningAction SilentlyContinue } |
            Should -Not -Throw                                    # busybox has no packages: 0 records needed, nothing skipped
    }

    It 'finds the same layers and base layers for each image when several are scanned in one command' {
        $images = $script:secImg, $script:uidImg, $script:okImg
        $key = { "$($_.RuleId) $($_.Location) $($_.Layer) $($_.IsBaseLayer)" }
        $batch = @(Invoke-DockOptScan $images -NoTrivy -Scanner Config -WarningAction SilentlyContinue)
        $batch.Count | Should -Be 3
        foreach ($img in $images) {
            $alone = Invoke-DockOptScan $img -NoTrivy -Scanner Config -WarningAction SilentlyContinue
            $inBatch = @(($batch | Where-Object Image -eq $img).Findings | ForEach-Object $key | Sort-Object)
            $inBatch.Count | Should -BeGreaterThan 0
            $inBatch | Should -Be @($alone.Findings | ForEach-Object $key | Sort-Object)
        }
        $arg = @(($batch | Where-Object Image -eq $script:uidImg).Findings | Where-Object RuleId -eq 'DO-CFG-008')
        $arg.Count | Should -Be 1
        $arg[0].IsBaseLayer | Should -BeFalse
    }

    It 'matches hand-written OSV records against the real dpkg inventory; -Severity only filters the view' {
        $db = Join-Path $script:tmp 'osv'
        New-Item -ItemType Directory -Path $db | Out-Null
        $aptVersion = (& docker run --rm dockopt/debian:bookworm-slim dpkg-query -W -f '${Version}' apt)
        @{ id = 'DEBIAN-TEST-0001'; modified = '2099-01-01T00:00:00Z'; aliases = @('CVE-2099-0101'); database_specific = @{ severity = 'HIGH' }
           affected = @(@{ package = @{ ecosystem = 'Debian:12'; name = 'apt' }; ranges = @(@{ type = 'ECOSYSTEM'; events = @(@{ introduced = '0' }, @{ fixed = "$aptVersion+deb12u99" }) }) }) } |
            ConvertTo-Json -Depth 8 | Set-Content (Join-Path $db 'a.json')
        @{ id = 'DEBIAN-TEST-0002'; modified = '2099-01-01T00:00:00Z'; database_specific = @{ severity = 'MEDIUM' }
           affected = @(@{ package = @{ ecosystem = 'Debian:12'; name = 'apt' }; ranges = @(@{ type = 'ECOSYSTEM'; events = @(@{ introduced = '0' }, @{ fixed = "$aptVersion" }) }) }) } |
            ConvertTo-Json -Depth 8 | Set-Content (Join-Path $db 'b.json')
        $r = Invoke-DockOptScan dockopt/debian:bookworm-slim -NoTrivy -VulnerabilityDatabase $db -Scanner Vulnerability
        # Debian advisories name the source package: every binary built from source 'apt' is affected.
        $fromApt = @(& docker run --rm dockopt/debian:bookworm-slim dpkg-query -W -f '${Package} ${source:Package}\n' |
            ForEach-Object { $n, $src = $_ -split ' '; if ($src -eq 'apt') { $n } } | Sort-Object)
        $v = @($r.Vulnerabilities)
        @($v.Package | Sort-Object) | Should -Be $fromApt
        @($v | Where-Object Id -ne 'CVE-2099-0101').Count | Should -Be 0   # 0002 is fixed in exactly the installed version
        $v[0].Aliases | Should -Be @('DEBIAN-TEST-0001')                     # named by its one CVE, the record id kept
        $v[0].Path | Should -Match '^/?var/lib/dpkg/status$'           # where the package lives
        $r.Database | Should -Be $db
        $r.RecordCount | Should -Be 2
        $a = $v | Where-Object Package -eq 'apt'
        $a.InstalledVersion | Should -Be $aptVersion
        $a.FixedVersion | Should -Be "$aptVersion+deb12u99"
        $a.Severity | Should -Be 'High'
        $hidden = Invoke-DockOptScan dockopt/debian:bookworm-slim -NoTrivy -VulnerabilityDatabase $db -Scanner Vulnerability -Severity Critical
        @($hidden.Vulnerabilities).Count | Should -Be 0
        $hidden.High | Should -Be $fromApt.Count
        { Invoke-DockOptScan dockopt/debian:bookworm-slim -NoTrivy -VulnerabilityDatabase $db -Scanner Vulnerability -Severity Critical -FailOn High } |
            Should -Throw -ErrorId 'SecurityGateFailed,DockOpt.Cmdlets.InvokeDockOptScanCommand'
    }

    It 'honours a .trivyignore with expiry and reports expired and stale entries' {
        $ign = Join-Path $script:tmp '.trivyignore'
        "DO-CFG-001`nDO-CFG-012 exp:2000-01-01`nCVE-2099-4242`n" | Set-Content $ign
        $r = Invoke-DockOptScan $script:uidImg -NoTrivy -Scanner Config -IgnoreFile $ign
        ($r.Findings | Where-Object RuleId -eq 'DO-CFG-001').Suppressed | Should -BeTrue
        ($r.Findings | Where-Object RuleId -eq 'DO-CFG-012').Suppressed | Should -BeFalse
        $r.ExpiredIgnores | Should -Match 'DO-CFG-012'
        $r.StaleIgnores | Should -Match 'CVE-2099-4242'
    }

    It 'a failing trivy makes the scan Incomplete, never a pass (stand-in trivy script: no trivy binary exists here)' {
        $bin = Join-Path $script:tmp 'bin'
        New-Item -ItemType Directory -Path $bin -Force | Out-Null
        Set-Content (Join-Path $bin 'trivy') "#!/bin/sh`necho 'FATAL no vulnerability DB' >&2`nexit 1`n"
        & chmod +x (Join-Path $bin 'trivy')
        $old = $env:PATH
        try {
            $env:PATH = "$bin$([IO.Path]::PathSeparator)$old"
            $errs = $null
            $r = Invoke-DockOptScan $script:okImg -WarningVariable warns -WarningAction SilentlyContinue
            $r.Outcome | Should -Be 'Incomplete'
            ($r.Errors -join "`n") | Should -Match 'no vulnerability DB'
            $warns | Should -Match 'incomplete'
            { Invoke-DockOptScan $script:okImg -FailOn Low -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'SecurityScanIncomplete,DockOpt.Cmdlets.InvokeDockOptScanCommand'
        }
        finally { $env:PATH = $old }
    }

    It 'runs trivy from PATH and maps its report (stand-in trivy script writing a hand-written report: no trivy binary exists here)' {
        $bin = Join-Path $script:tmp 'okbin'
        New-Item -ItemType Directory -Path $bin -Force | Out-Null
        $fixture = Join-Path $script:tmp 'fixture.json'
        @{ SchemaVersion = 2; Results = @(@{ Target = 'x'; Type = 'debian'; Vulnerabilities = @(
            @{ VulnerabilityID = 'CVE-2099-8888'; PkgName = 'busybox'; InstalledVersion = '1.0'; FixedVersion = '1.1'; Severity = 'HIGH' }) }) } |
            ConvertTo-Json -Depth 8 | Set-Content $fixture
        # writes the fixture to the file after --output, and records its arguments
        Set-Content (Join-Path $bin 'trivy') "#!/bin/sh`necho `"`$@`" > '$script:tmp/trivy-args.txt'`nwhile [ `$# -gt 0 ]; do if [ `"`$1`" = --output ]; then cp '$fixture' `"`$2`"; fi; shift; done`n"
        & chmod +x (Join-Path $bin 'trivy')
        $old = $env:PATH
        try {
            $env:PATH = "$bin$([IO.Path]::PathSeparator)$old"
            $r = Invoke-DockOptScan $script:okImg -Scanner Vulnerability
            $r.Outcome | Should -Be 'Passed'
            $v = @($r.Vulnerabilities)
            $v.Count | Should -Be 1
            $v[0].Id | Should -Be 'CVE-2099-8888'
            $v[0].FixedVersion | Should -Be '1.1'
            $r.VulnerabilitySources | Should -Be @('Trivy:trivy')
            Get-Content "$script:tmp/trivy-args.txt" | Should -Match '--skip-db-update --offline-scan'
            Get-Content "$script:tmp/trivy-args.txt" | Should -Match '--input \S*dockopt-trivy-input-[0-9a-f]{32}\.tar$'   # the exact image, exported
        }
        finally { $env:PATH = $old }
    }

    It 'reads vulnerabilities from a Trivy JSON report (a hand-written stand-in report)' {
        $layers = @(& docker image inspect $script:okImg --format '{{json .RootFS.Layers}}' | ConvertFrom-Json)
        $rep = Join-Path $script:tmp 'trivy.json'
        @{ SchemaVersion = 2; ArtifactName = $script:okImg; Results = @(@{ Target = 'x'; Type = 'debian'; Vulnerabilities = @(
            @{ VulnerabilityID = 'CVE-2099-7777'; PkgName = 'busybox'; InstalledVersion = '1.0'; FixedVersion = ''; Severity = 'CRITICAL'; Layer = @{ DiffID = $layers[0] } }) }) } |
            ConvertTo-Json -Depth 8 | Set-Content $rep
        $r = Invoke-DockOptScan $script:okImg -TrivyReport $rep -Scanner Vulnerability
        $v = @($r.Vulnerabilities)
        $v.Count | Should -Be 1
        $v[0].Layer | Should -Be 0
        $v[0].IsBaseLayer | Should -BeTrue                      # layer 0 is dockopt/busybox:latest's
        $v[0].Source | Should -Be 'Trivy'
        { Invoke-DockOptScan $script:okImg -TrivyReport $rep -Scanner Vulnerability -FailOn Critical -FailOnFixableOnly } | Should -Not -Throw
        { Invoke-DockOptScan $script:okImg -TrivyReport $rep -Scanner Vulnerability -FailOn Critical } |
            Should -Throw -ErrorId 'SecurityGateFailed,DockOpt.Cmdlets.InvokeDockOptScanCommand'
    }

    It 'scans a docker save tar given with -Path like the local image' {
        $tar = Join-Path $script:tmp 'sec.tar'
        & docker save $script:secImg -o $tar
        $r = Invoke-DockOptScan -Path $tar -NoTrivy -WarningAction SilentlyContinue
        @($r.Findings | ForEach-Object { "$($_.RuleId) $($_.Location) $($_.Layer) $($_.Status)" } | Sort-Object) |
            Should -Be @($script:report.Findings | ForEach-Object { "$($_.RuleId) $($_.Location) $($_.Layer) $($_.Status)" } | Sort-Object)
        { Invoke-DockOptScan -Path (Join-Path $script:tmp 'none.tar') -NoTrivy -ErrorAction Stop } |
            Should -Throw -ErrorId 'ImageArchiveNotFound,DockOpt.Cmdlets.InvokeDockOptScanCommand'
    }

    It 'reports bad input with specific errors' {
        { Invoke-DockOptScan $script:okImg -VulnerabilityDatabase (Join-Path $script:tmp 'nope') } |
            Should -Throw -ErrorId 'VulnerabilityDatabaseNotFound,DockOpt.Cmdlets.InvokeDockOptScanCommand'
        $errs = $null
        $null = Invoke-DockOptScan "$($script:repo):missing" -NoTrivy -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'ImageNotFound,DockOpt.Cmdlets.InvokeDockOptScanCommand'
        { Invoke-DockOptScan $script:okImg -OutFile (Join-Path $script:tmp 'scan.report') } | Should -Throw -ErrorId 'ReportFormatUnknown,DockOpt.Cmdlets.InvokeDockOptScanCommand'
        $text = @(Invoke-DockOptScan $script:okImg -NoTrivy -Scanner Config -Format Sarif)   # a format without -OutFile: the report text
        $text.Count | Should -Be 1
        ($text[0] | ConvertFrom-Json).version | Should -Be '2.1.0'
    }

    It 'counts the same dpkg packages as dpkg-query on <_>' -ForEach @('dockopt/debian:bookworm-slim', 'dockopt/python:3.11-slim') {
        $expected = @(& docker run --rm $_ dpkg-query -W).Count
        $p = @(Get-DockOptPackage $_ -Type deb)
        $p.Count | Should -Be $expected
        $p[0] | Should -BeOfType ([DockOpt.PackageInfo])
        $p[0].Purl | Should -Match '^pkg:deb/debian/.+\?arch=.+&distro=debian-12'
    }

    It 'writes a deterministic CycloneDX 1.6 SBOM' {
        $a = Join-Path $script:tmp 'a.cdx.json'
        $b = Join-Path $script:tmp 'b.cdx.json'
        $pk = @(Get-DockOptPackage dockopt/debian:bookworm-slim -SbomPath $a)
        $null = Get-DockOptPackage dockopt/debian:bookworm-slim -SbomPath $b
        (Get-FileHash $a).Hash | Should -Be (Get-FileHash $b).Hash
        $bom = Get-Content $a -Raw | ConvertFrom-Json
        $bom.specVersion | Should -Be '1.6'
        @($bom.components | Where-Object type -eq 'library').Count | Should -Be $pk.Count
    }
}
