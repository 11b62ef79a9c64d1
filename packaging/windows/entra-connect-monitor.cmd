@echo off
rem entra-connect-monitor: runs the agent with the node.exe beside this file and passes every argument on,
rem so "entra-connect-monitor.cmd check --json" works from any folder. The exit code is the agent's.
setlocal
"%~dp0node.exe" "%~dp0app\dist\agent\cli\main.js" %*
exit /b %ERRORLEVEL%
