FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
WORKDIR c:\tools
COPY run.cmd run.cmd
