# DockOpt: everything is in DockOpt.Cmdlets.dll. The image-name completer is an attribute on every -Name that takes images
# ([ArgumentCompleter([DockOpt.Cmdlets.Conventions.ImageNameCompleter])]), so nothing is registered here.
# Keep this file tiny and fast: nothing here may call the engine at import time.
