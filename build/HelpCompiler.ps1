# Compiles PlatyPS (schema 2.0.0) markdown cmdlet pages into MAML (<Assembly>.dll-Help.xml) for Get-Help.
# Uses Microsoft.PowerShell.PlatyPS or platyPS when installed; otherwise this built-in compiler, which reads the
# same schema: front matter, # Name, ## SYNOPSIS, ## SYNTAX, ## DESCRIPTION, ## EXAMPLES (### Example N),
# ## PARAMETERS (### -Name + ```yaml block), ## INPUTS, ## OUTPUTS, ## NOTES, ## RELATED LINKS.

function Split-DockOptHelpSections([string] $Text, [string] $Level) {
    # Returns ordered pairs of (heading, body) for headings of the given level ('##' or '###').
    $result = [System.Collections.Generic.List[object]]::new()
    $current = $null; $body = [System.Text.StringBuilder]::new()
    $inFence = $false
    foreach ($line in $Text -split "`r?`n") {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match "^$Level (.+?)\s*$" -and $line -notmatch "^$Level#") {
            if ($null -ne $current) { $result.Add([pscustomobject]@{ Heading = $current; Body = $body.ToString().Trim() }) }
            $current = $Matches[1]; $body.Clear() | Out-Null
            continue
        }
        if ($null -ne $current) { $body.AppendLine($line) | Out-Null }
    }
    if ($null -ne $current) { $result.Add([pscustomobject]@{ Heading = $current; Body = $body.ToString().Trim() }) }
    return $result
}

function ConvertFrom-DockOptHelpMarkdown([string] $Path) {
    $text = Get-Content -Raw -Path $Path
    $meta = @{}
    if ($text -match '(?s)^---\r?\n(.*?)\r?\n---\r?\n') {
        foreach ($l in $Matches[1] -split "`r?`n") { if ($l -match '^([^:]+):\s*(.*)$') { $meta[$Matches[1].Trim()] = $Matches[2].Trim() } }
        $text = $text.Substring($Matches[0].Length)
    }
    if ($text -notmatch '(?m)^# (\S+)\s*$') { throw "$Path has no '# Cmdlet-Name' heading." }
    $name = $Matches[1]
    $sections = @{}
    foreach ($s in Split-DockOptHelpSections $text '##') { $sections[$s.Heading.ToUpperInvariant()] = $s.Body }
    foreach ($required in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS') {
        if (-not $sections.ContainsKey($required)) { throw "$Path has no '## $required' section." }
    }

    $examples = foreach ($e in Split-DockOptHelpSections $sections['EXAMPLES'] '###') {
        $code = [System.Text.StringBuilder]::new(); $remarks = [System.Text.StringBuilder]::new()
        $inFence = $false
        foreach ($line in $e.Body -split "`r?`n") {
            if ($line -match '^```') { $inFence = -not $inFence; continue }
            if ($inFence) { $code.AppendLine($line) | Out-Null } else { $remarks.AppendLine($line) | Out-Null }
        }
        [pscustomobject]@{ Title = $e.Heading; Code = $code.ToString().TrimEnd(); Remarks = $remarks.ToString().Trim() }
    }

    $parameters = foreach ($p in Split-DockOptHelpSections $sections['PARAMETERS'] '###') {
        if ($p.Heading -notmatch '^-(\w+)') { continue }
        $pname = $Matches[1]
        $yaml = @{}
        $desc = $p.Body
        if ($p.Body -match '(?s)^(.*?)```yaml\r?\n(.*?)```') {
            $desc = $Matches[1].Trim()
            foreach ($l in $Matches[2] -split "`r?`n") { if ($l -match '^([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() } }
        }
        [pscustomobject]@{
            Name        = $pname
            Description = $desc
            Type        = $yaml['Type'] ?? 'Object'
            Sets        = @((($yaml['Parameter Sets'] ?? '(All)') -split ',') | ForEach-Object Trim)
            Aliases     = $yaml['Aliases'] ?? 'None'
            Required    = ($yaml['Required'] ?? 'False') -match '^True'
            Position    = $yaml['Position'] ?? 'Named'
            Default     = $yaml['Default value'] ?? 'None'
            Pipeline    = $yaml['Accept pipeline input'] ?? 'False'
            Wildcard    = ($yaml['Accept wildcard characters'] ?? 'False') -match '^True'
        }
    }

    function Get-TypeList([string] $body) {
        foreach ($t in Split-DockOptHelpSections $body '###') { [pscustomobject]@{ Name = $t.Heading; Description = $t.Body } }
    }
    $links = foreach ($l in ($sections['RELATED LINKS'] ?? '') -split "`r?`n") {
        if ($l -match '\[([^\]]+)\]\(([^)]*)\)') { [pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] } }
    }
    [pscustomobject]@{
        Name        = $name
        Meta        = $meta
        Synopsis    = $sections['SYNOPSIS']
        Description = $sections['DESCRIPTION']
        Examples    = @($examples)
        Parameters  = @($parameters)
        Inputs      = @(Get-TypeList ($sections['INPUTS'] ?? ''))
        Outputs     = @(Get-TypeList ($sections['OUTPUTS'] ?? ''))
        Notes       = $sections['NOTES']
        Links       = @($links)
    }
}

function ConvertTo-DockOptMaml {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $OutFile)
    $platy = Get-Module -ListAvailable platyPS | Select-Object -First 1
    if ($platy) {
        Import-Module $platy
        $tmpDir = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
        New-ExternalHelp -Path $Path -OutputPath $tmpDir -Force | Out-Null
        Move-Item -Force (Get-ChildItem $tmpDir -Filter *.xml | Select-Object -First 1).FullName $OutFile
        return
    }
    $ns = @{
        maml = 'http://schemas.microsoft.com/maml/2004/10'
        command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
        dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
    }
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $tmp = "$OutFile.tmp"
    New-Item -ItemType Directory -Force -Path (Split-Path $OutFile) | Out-Null
    $w = [System.Xml.XmlWriter]::Create($tmp, $settings)
    try {
        $w.WriteStartDocument()
        $w.WriteStartElement('helpItems', 'http://msh')
        $w.WriteAttributeString('schema', 'maml')
        function Paras([string] $text) {
            $w.WriteStartElement('maml', 'description', $ns.maml)
            foreach ($para in ($text ?? '') -split "(\r?\n){2,}") {
                $p = ($para -replace '\r?\n', ' ').Trim()
                if ($p) { $w.WriteElementString('maml', 'para', $ns.maml, $p) }
            }
            $w.WriteEndElement()
        }
        function Param($p, [switch] $InSyntax) {
            $w.WriteStartElement('command', 'parameter', $ns.command)
            $w.WriteAttributeString('required', $p.Required.ToString().ToLowerInvariant())
            $w.WriteAttributeString('variableLength', 'true')
            $w.WriteAttributeString('globbing', $p.Wildcard.ToString().ToLowerInvariant())
            $w.WriteAttributeString('pipelineInput', $p.Pipeline)
            $w.WriteAttributeString('position', $p.Position.ToLowerInvariant())
            $w.WriteAttributeString('aliases', $p.Aliases)
            $w.WriteElementString('maml', 'name', $ns.maml, $p.Name)
            Paras $p.Description
            if ($p.Type -ne 'SwitchParameter') {
                $w.WriteStartElement('command', 'parameterValue', $ns.command)
                $w.WriteAttributeString('required', 'true'); $w.WriteAttributeString('variableLength', 'false')
                $w.WriteString($p.Type); $w.WriteEndElement()
            }
            $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, $p.Type); $w.WriteEndElement()
            $w.WriteElementString('dev', 'defaultValue', $ns.dev, $p.Default)
            $w.WriteEndElement()
        }
        foreach ($file in Get-ChildItem -Path $Path -Filter '*-*.md' | Sort-Object Name) {
            $h = ConvertFrom-DockOptHelpMarkdown $file.FullName
            $verb, $noun = $h.Name -split '-', 2
            $w.WriteStartElement('command', 'command', $ns.command)
            $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
            $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
            $w.WriteStartElement('command', 'details', $ns.command)
            $w.WriteElementString('command', 'name', $ns.command, $h.Name)
            $w.WriteElementString('command', 'verb', $ns.command, $verb)
            $w.WriteElementString('command', 'noun', $ns.command, $noun)
            Paras $h.Synopsis
            $w.WriteEndElement()
            Paras $h.Description
            # Syntax: one item per parameter set named in the parameters' yaml blocks.
            $sets = @($h.Parameters.Sets | Where-Object { $_ -ne '(All)' } | Sort-Object -Unique)
            if ($sets.Count -eq 0) { $sets = @('(All)') }
            $w.WriteStartElement('command', 'syntax', $ns.command)
            foreach ($set in $sets) {
                $w.WriteStartElement('command', 'syntaxItem', $ns.command)
                $w.WriteElementString('maml', 'name', $ns.maml, $h.Name)
                foreach ($p in $h.Parameters | Where-Object { $_.Sets -contains '(All)' -or $_.Sets -contains $set }) { Param $p -InSyntax }
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
            $w.WriteStartElement('command', 'parameters', $ns.command)
            foreach ($p in $h.Parameters) { Param $p }
            $w.WriteEndElement()
            foreach ($kind in @(@('inputTypes', 'inputType', $h.Inputs), @('returnValues', 'returnValue', $h.Outputs))) {
                $w.WriteStartElement('command', $kind[0], $ns.command)
                foreach ($t in $kind[2]) {
                    $w.WriteStartElement('command', $kind[1], $ns.command)
                    $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, $t.Name); $w.WriteEndElement()
                    Paras $t.Description
                    $w.WriteEndElement()
                }
                $w.WriteEndElement()
            }
            if ($h.Notes) {
                $w.WriteStartElement('maml', 'alertSet', $ns.maml); $w.WriteStartElement('maml', 'alert', $ns.maml)
                foreach ($para in $h.Notes -split "(\r?\n){2,}") { $p = ($para -replace '\r?\n', ' ').Trim(); if ($p) { $w.WriteElementString('maml', 'para', $ns.maml, $p) } }
                $w.WriteEndElement(); $w.WriteEndElement()
            }
            $w.WriteStartElement('command', 'examples', $ns.command)
            foreach ($e in $h.Examples) {
                $w.WriteStartElement('command', 'example', $ns.command)
                $w.WriteElementString('maml', 'title', $ns.maml, "-------------------------- $($e.Title) --------------------------")
                $w.WriteElementString('dev', 'code', $ns.dev, $e.Code)
                $w.WriteStartElement('dev', 'remarks', $ns.dev)
                foreach ($para in $e.Remarks -split "(\r?\n){2,}") { $p = ($para -replace '\r?\n', ' ').Trim(); if ($p) { $w.WriteElementString('maml', 'para', $ns.maml, $p) } }
                $w.WriteEndElement()
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
            $w.WriteStartElement('command', 'relatedLinks', $ns.command)
            foreach ($l in $h.Links) {
                $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
                $w.WriteElementString('maml', 'linkText', $ns.maml, $l.Text)
                $w.WriteElementString('maml', 'uri', $ns.maml, $l.Uri)
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteEndDocument()
    }
    finally { $w.Dispose() }
    Move-Item -Force $tmp $OutFile
}

# Turns a markdown about page (docs/about_*.md: '# about_X', '## SECTION', '### Sub', fenced code) into the
# about_*.help.txt layout Get-Help reads: section names in column 1, text indented 4 spaces, code 8.
function ConvertTo-DockOptAboutTopic {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $OutFile)
    $lines = Get-Content -Path $Path
    $name = [IO.Path]::GetFileNameWithoutExtension($Path)
    $sb = [System.Text.StringBuilder]::new()
    $null = $sb.AppendLine('TOPIC').AppendLine("    $name").AppendLine()
    $inFence = $false
    foreach ($line in $lines) {
        if ($line -match '^```') { $inFence = -not $inFence; continue }
        if ($inFence) { $null = $sb.AppendLine('        ' + $line); continue }
        if ($line -match '^# ') { continue }
        if ($line -match '^## (.+)$') { $null = $sb.AppendLine().AppendLine($Matches[1].ToUpperInvariant()); continue }
        if ($line -match '^###+ (.+)$') { $null = $sb.AppendLine().AppendLine('  ' + $Matches[1]); continue }
        $null = $sb.AppendLine(($line.Trim().Length -eq 0) ? '' : '    ' + ($line -replace '`', ''))
    }
    $tmp = "$OutFile.tmp"
    Set-Content -Path $tmp -Value $sb.ToString() -Encoding utf8
    Move-Item -Force $tmp $OutFile
}
