# Helpers for Invoke-DockOptBuild.Tests.ps1 and bench/build.ps1: a build context that exercises every .dockerignore
# rule, and a reader that lists the entries of an image's last (COPY) layer.

function New-EveryRuleContext {
    param([Parameter(Mandatory)] [string] $Root)
    New-Item -ItemType Directory -Force -Path $Root | Out-Null
    function W([string] $rel, [string] $text = "content of $rel`n") {
        $p = Join-Path $Root $rel
        New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
        [IO.File]::WriteAllText($p, $text)
    }
    W 'Dockerfile' "FROM dockopt/busybox:latest`nCOPY . /ctx/`n"
    W '.dockerignore' @'
# a comment line is ignored
**/*.pyc
!src/deep/keep.pyc
logs/
!logs/keep.log
/rooted.txt
trailing/
./dotslash.txt
a/../cleaned.txt
docs/**/secret.md
tmp?
node_modules
!node_modules/keep
*.md
!README*.md
README-secret.md
   spaced.txt   
[xy]char.txt
**/cache
 #not-a-comment
Dockerfile
.dockerignore
'@
    foreach ($f in 'keep.txt', 'exec.sh', 'private.txt', 'old.txt', 'suid.sh', 'src/app.py', 'src/a.pyc', 'src/deep/keep.pyc',
        'src/deep/drop.pyc', 'src/cache/x.bin', 'cache/y.bin', 'deep/er/cache/z.bin', 'logs/a.log', 'logs/keep.log', 'rooted.txt',
        'sub/rooted.txt', 'trailing/file.txt', 'sub/trailing/file.txt', 'dotslash.txt', 'cleaned.txt', 'a/cleaned.txt',
        'docs/secret.md', 'docs/x/y/secret.md', 'docs/guide.txt', 'tmp1', 'tmpab', 'tmpd/inner.txt', 'node_modules/pkg/index.js',
        'node_modules/keep/index.js', 'README.md', 'README-public.md', 'README-secret.md', 'CHANGELOG.md', 'spaced.txt',
        'xchar.txt', 'ychar.txt', 'zchar.txt', '#not-a-comment', 'with space.txt', "$([char]0xfc)nic$([char]0xf6)de.txt",
        ('long/' + ('d' * 60) + '/' + ('e' * 60) + '/file-with-a-long-name-' + ('f' * 40) + '.txt')) {
        W $f
    }
    [IO.File]::WriteAllBytes((Join-Path $Root 'binary.bin'), [byte[]](0..255 + 0..255))
    New-Item -ItemType Directory -Force -Path (Join-Path $Root 'emptydir') | Out-Null
    New-Item -ItemType Directory -Force -Path (Join-Path $Root 'stickydir') | Out-Null
    & chmod 0755 (Join-Path $Root 'exec.sh')
    & chmod 0600 (Join-Path $Root 'private.txt')
    & chmod 4755 (Join-Path $Root 'suid.sh')
    & chmod 1777 (Join-Path $Root 'stickydir')
    & chmod 0700 (Join-Path $Root 'docs')
    [IO.File]::SetLastWriteTimeUtc((Join-Path $Root 'old.txt'), [datetime]::SpecifyKind([datetime]'2001-02-03T04:05:06.789', 'Utc'))
    [IO.Directory]::SetLastWriteTimeUtc((Join-Path $Root 'emptydir'), [datetime]::SpecifyKind([datetime]'2010-01-01T00:00:00', 'Utc'))
    New-Item -ItemType SymbolicLink -Path (Join-Path $Root 'link-to-keep') -Target 'keep.txt' | Out-Null
    New-Item -ItemType SymbolicLink -Path (Join-Path $Root 'dangling') -Target 'nowhere/file' | Out-Null
    New-Item -ItemType SymbolicLink -Path (Join-Path $Root 'dirlink') -Target 'src' | Out-Null
    & ln (Join-Path $Root 'keep.txt') (Join-Path $Root 'hard-to-keep.txt')
}

# The entries of an image's last layer: path, type, mode, owner, size, mtime, link target, content hash.
function Get-LastLayerEntry {
    param([Parameter(Mandatory)] [string] $Image)
    $dir = Join-Path ([IO.Path]::GetTempPath()) ('dockopt-save-' + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    try {
        & docker save -o (Join-Path $dir 'image.tar') $Image
        if ($LASTEXITCODE -ne 0) { throw "docker save $Image failed" }
        & tar -xf (Join-Path $dir 'image.tar') -C $dir
        $manifest = Get-Content -Raw (Join-Path $dir 'manifest.json') | ConvertFrom-Json
        $layer = Join-Path $dir @($manifest[0].Layers)[-1]
        $stream = [IO.File]::OpenRead($layer)
        try {
            $reader = [System.Formats.Tar.TarReader]::new($stream)
            while ($null -ne ($e = $reader.GetNextEntry($true))) {
                $hash = ''
                if ($e.DataStream) { $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($e.DataStream)) }
                [pscustomobject]@{
                    Path  = $e.Name
                    Type  = [string]$e.EntryType
                    Mode  = [Convert]::ToString([int]$e.Mode, 8)
                    Owner = "$($e.Uid):$($e.Gid)"
                    Size  = $e.Length
                    MTime = $e.ModificationTime.ToUnixTimeSeconds()
                    Link  = $e.LinkName
                    Hash  = $hash
                }
            }
        }
        finally { $stream.Dispose() }
    }
    finally { Remove-Item -Recurse -Force $dir }
}

Export-ModuleMember -Function New-EveryRuleContext, Get-LastLayerEntry
