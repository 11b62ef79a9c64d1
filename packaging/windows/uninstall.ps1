<#
.SYNOPSIS
  Removes entra-connect-monitor: stops the agent (its bounded shutdown), removes the scheduled task, the firewall
  rule and the install folder. The configuration and logs under %ProgramData%\entra-connect-monitor stay unless
  -RemoveData is given.
#>
[CmdletBinding()]
param(
  [string] $InstallDir = (Join-Path $env:ProgramFiles 'entra-connect-monitor'),
  [string] $TaskName = 'entra-connect-monitor',
  [switch] $RemoveData
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$nodeExe = Join-Path $InstallDir 'node.exe'
$mainJs = Join-Path $InstallDir 'app\dist\agent\cli\main.js'
if (Test-Path $nodeExe) {
  # Through the control pipe: the agent closes its probes and server and exits (within 2 s). Task Scheduler's own
  # stop, next, only kills what may be left. "No agent answered" (it was not running) is fine here.
  $ErrorActionPreference = 'Continue'
  & $nodeExe $mainJs stop --control.pipe $TaskName 2>&1 | Write-Host
  $ErrorActionPreference = 'Stop'
}
if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
  Stop-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue
  Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
  Write-Host "Removed the scheduled task '$TaskName'."
}
Get-NetFirewallRule -Name "$TaskName-metrics" -ErrorAction SilentlyContinue | Remove-NetFirewallRule
if (Test-Path $InstallDir) {
  Set-Location $env:SystemRoot  # not inside the folder being removed
  Remove-Item -Recurse -Force $InstallDir
  Write-Host "Removed $InstallDir."
}
$dataDir = Join-Path $env:ProgramData 'entra-connect-monitor'
if ($RemoveData -and (Test-Path $dataDir)) {
  Remove-Item -Recurse -Force $dataDir
  Write-Host "Removed $dataDir."
} elseif (Test-Path $dataDir) {
  Write-Host "Kept the configuration and logs in $dataDir (-RemoveData removes them)."
}
