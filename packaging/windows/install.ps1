<#
.SYNOPSIS
  Installs entra-connect-monitor on this server and starts it at boot as a scheduled task, with nobody signed in.

.DESCRIPTION
  Copies the package to -InstallDir, puts the configuration and logs under %ProgramData%\entra-connect-monitor,
  registers the scheduled task from entra-connect-monitor.task.xml (at boot, as -Account, restarted on failure),
  optionally opens the metrics port in Windows Firewall, and starts the agent. Run it again to change a setting:
  it replaces the task and keeps the configuration file.

.PARAMETER Account
  Who the agent runs as:
    LocalService   (default) NT AUTHORITY\LOCAL SERVICE: no network identity; enough for a proxy without authentication.
    NetworkService NT AUTHORITY\NETWORK SERVICE: the computer account on the network (Negotiate/NTLM to the proxy).
    ADSync         the account the ADSync service runs as: its gMSA or domain account; for the virtual account
                   NT SERVICE\ADSync, NetworkService (which presents the same computer account on the network).
    DOMAIN\name$   a group managed service account (gMSA); no password needed.
    DOMAIN\user    a domain account; give -Credential (Task Scheduler stores the password).

.EXAMPLE
  .\install.ps1 -Account ADSync -ListenAddress 0.0.0.0:9815 -OpenFirewall
#>
[CmdletBinding()]
param(
  [string] $Account = 'LocalService',
  [pscredential] $Credential,
  [string] $ListenAddress = '0.0.0.0:9815',
  [string] $ConfigFile = (Join-Path $env:ProgramData 'entra-connect-monitor\agent.yaml'),
  [string] $InstallDir = (Join-Path $env:ProgramFiles 'entra-connect-monitor'),
  [switch] $OpenFirewall,
  [ValidateSet('Domain', 'Private', 'Public', 'Any')] [string] $FirewallProfile = 'Domain',
  [string[]] $FirewallRemoteAddress = @('Any'),
  [string] $TaskName = 'entra-connect-monitor'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'install.ps1 must run in an elevated PowerShell (Run as administrator).'
}
if ($ListenAddress -notmatch '^(\[[0-9A-Fa-f:.]+\]|[^:\[\]]*):(\d{1,5})$') { throw "-ListenAddress '$ListenAddress' must be HOST:PORT (e.g. 0.0.0.0:9815)" }
$port = [int]$Matches[2]

# Who runs the task: the Task Scheduler principal (UserId, LogonType) and the name icacls grants the log folder to.
function Resolve-Account([string] $name) {
  if ($name -eq 'ADSync') {
    $svc = Get-CimInstance Win32_Service -Filter "Name='ADSync'"
    if (-not $svc) { throw '-Account ADSync: there is no ADSync service on this server (is Entra Connect installed?)' }
    $name = $svc.StartName
    Write-Host "The ADSync service runs as $name."
    if ($name -like 'NT SERVICE\*') {
      Write-Host 'That is a virtual account, which only its own service can use: the agent runs as NetworkService, which presents the same computer account on the network.'
      $name = 'NetworkService'
    }
  }
  switch -regex ($name) {
    '^(LocalService|NT AUTHORITY\\LOCAL SERVICE)$' { return @{ UserId = 'S-1-5-19'; LogonType = ''; Grant = '*S-1-5-19'; NeedsPassword = $false } }
    '^(NetworkService|NT AUTHORITY\\NETWORK SERVICE)$' { return @{ UserId = 'S-1-5-20'; LogonType = ''; Grant = '*S-1-5-20'; NeedsPassword = $false } }
    '^(LocalSystem|NT AUTHORITY\\SYSTEM)$' { throw '-Account: the agent needs no SYSTEM rights on a Tier 0 server; use LocalService, NetworkService, a gMSA or ADSync.' }
    '\$$' { return @{ UserId = $name; LogonType = 'Password'; Grant = $name; NeedsPassword = $false } }
    '^[^\\]+\\[^\\]+$|@' { return @{ UserId = $name; LogonType = 'Password'; Grant = $name; NeedsPassword = $true } }
    default { throw "-Account '$name' is not LocalService, NetworkService, ADSync, DOMAIN\gmsa$ or DOMAIN\user" }
  }
}
$who = Resolve-Account $Account
if ($who.NeedsPassword -and -not $Credential) { $Credential = Get-Credential -UserName $who.UserId -Message "Password of $($who.UserId), stored by Task Scheduler to start the agent at boot" }

# Files: the package into InstallDir; configuration and logs under ProgramData.
$source = $PSScriptRoot
$dataDir = Split-Path -Parent $ConfigFile
$logDir = Join-Path $env:ProgramData 'entra-connect-monitor\logs'
# An agent already installed stops first (bounded shutdown through its control pipe), so its files can be replaced.
function Stop-Agent([string] $dir) {
  $ErrorActionPreference = 'Continue'  # "no agent answered" on stderr is not an error here
  $exe = Join-Path $dir 'node.exe'
  if (Test-Path $exe) { & $exe (Join-Path $dir 'app\dist\agent\cli\main.js') stop --control.pipe $TaskName 2>&1 | Out-Null }
  if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) { Stop-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue }
}
Stop-Agent $InstallDir
if ((Resolve-Path $source).Path.TrimEnd('\') -ne [IO.Path]::GetFullPath($InstallDir).TrimEnd('\')) {
  if (Test-Path $InstallDir) { Remove-Item -Recurse -Force (Join-Path $InstallDir 'app') -ErrorAction SilentlyContinue }
  New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
  Copy-Item -Recurse -Force -Path (Join-Path $source '*') -Destination $InstallDir
}
New-Item -ItemType Directory -Force -Path $dataDir, $logDir | Out-Null
if (-not (Test-Path $ConfigFile)) {
  Copy-Item (Join-Path $InstallDir 'app\config\agent.yaml') $ConfigFile
  Write-Host "Wrote the default configuration to $ConfigFile (edit it, then: entra-connect-monitor.cmd reload)."
}
# The agent writes only its logs; it reads the configuration (ProgramData is readable by the account already).
& icacls.exe $logDir /grant "$($who.Grant):(OI)(CI)M" /T /Q | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls could not give $($who.UserId) write access to $logDir" }

$nodeExe = Join-Path $InstallDir 'node.exe'
$mainJs = Join-Path $InstallDir 'app\dist\agent\cli\main.js'
$logFile = Join-Path $logDir 'agent.log'
$arguments = "`"$mainJs`" run --config `"$ConfigFile`" --web.listen-address $ListenAddress --log.file `"$logFile`" --control.pipe $TaskName"

# The task definition: the template with every @@NAME@@ replaced by an XML-escaped value, comments and empty elements
# dropped. test/packaging/task-xml.test.ts renders the same template by the same three rules.
function Expand-TaskTemplate([string] $template, [hashtable] $values) {
  $xml = [regex]::Replace($template, '(?s)<!--.*?-->\r?\n', '')
  foreach ($key in $values.Keys) { $xml = $xml.Replace("@@$key@@", [Security.SecurityElement]::Escape([string]$values[$key])) }
  if ($xml -match '@@[A-Z_]+@@') { throw "entra-connect-monitor.task.xml: $($Matches[0]) has no value" }
  return [regex]::Replace($xml, '(?m)^[ \t]*<(\w+)></\1>\r?\n', '')
}
$template = Get-Content -Raw -Path (Join-Path $InstallDir 'entra-connect-monitor.task.xml')
$taskXml = Expand-TaskTemplate $template @{
  'TASK_NAME' = $TaskName; 'INSTALL_DIR' = $InstallDir; 'LISTEN_ADDRESS' = $ListenAddress; 'USER_ID' = $who.UserId; 'LOGON_TYPE' = $who.LogonType
  'NODE_EXE' = $nodeExe; 'ARGUMENTS' = $arguments; 'DATA_DIR' = $dataDir
}

if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) { Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false }
if ($who.NeedsPassword) {
  Register-ScheduledTask -TaskName $TaskName -Xml $taskXml -User $Credential.UserName -Password $Credential.GetNetworkCredential().Password | Out-Null
} else {
  Register-ScheduledTask -TaskName $TaskName -Xml $taskXml | Out-Null
}

$ruleName = "$TaskName-metrics"
Get-NetFirewallRule -Name $ruleName -ErrorAction SilentlyContinue | Remove-NetFirewallRule
if ($OpenFirewall) {
  New-NetFirewallRule -Name $ruleName -DisplayName "entra-connect-monitor metrics (TCP $port)" -Direction Inbound -Action Allow -Protocol TCP -LocalPort $port -Program $nodeExe -Profile $FirewallProfile -RemoteAddress $FirewallRemoteAddress | Out-Null
  Write-Host "Opened TCP $port for node.exe in Windows Firewall ($FirewallProfile profile)."
}

Start-ScheduledTask -TaskName $TaskName
Write-Host "Installed: scheduled task '$TaskName' runs $nodeExe at boot as $($who.UserId); logs in $logDir."
Write-Host "Check: Invoke-WebRequest -UseBasicParsing http://localhost:$port/-/ready   Stop: & '$InstallDir\entra-connect-monitor.cmd' stop"
