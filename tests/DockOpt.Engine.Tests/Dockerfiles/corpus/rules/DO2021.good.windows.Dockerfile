FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY run.cmd c:\tools\run.cmd
