# Side-by-side timing helpers: alternate the contenders, several runs, report medians and the ratio.

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    $n = $s.Count
    if ($n -eq 0) { return [double]::NaN }
    if ($n % 2) { return $s[[int][math]::Floor($n / 2)] }
    return ($s[$n / 2 - 1] + $s[$n / 2]) / 2
}

# Runs each scriptblock $Runs times, alternating A, B, A, B ... after $Warmup untimed rounds.
function Measure-SideBySide {
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [scriptblock] $DockOpt,
        [Parameter(Mandatory)] [scriptblock] $Peer,
        [string] $PeerName = 'peer',
        [int] $Runs = 7,
        [int] $Warmup = 1
    )
    for ($i = 0; $i -lt $Warmup; $i++) { & $DockOpt | Out-Null; & $Peer | Out-Null }
    $a = [System.Collections.Generic.List[double]]::new()
    $b = [System.Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $Runs; $i++) {
        $sw = [Diagnostics.Stopwatch]::StartNew(); & $DockOpt | Out-Null; $a.Add($sw.Elapsed.TotalMilliseconds)
        $sw = [Diagnostics.Stopwatch]::StartNew(); & $Peer | Out-Null; $b.Add($sw.Elapsed.TotalMilliseconds)
    }
    $ma = Get-Median $a; $mb = Get-Median $b
    [pscustomobject]@{
        Benchmark     = $Name
        Runs          = $Runs
        DockOptMedianMs = [math]::Round($ma, 1)
        PeerMedianMs  = [math]::Round($mb, 1)
        Peer          = $PeerName
        Ratio         = [math]::Round($ma / $mb, 3)
    }
}

function Get-PwshInvocation {
    $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    if (Test-Path $exe) { return , @($exe) }
    return , @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll'))
}

Export-ModuleMember -Function *
