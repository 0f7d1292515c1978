# syntax=docker/dockerfile:1.10
# check=skip=JSONArgsRecommended;error=true
# escape=\
FROM dockopt/busybox:1.36
RUN echo hi
