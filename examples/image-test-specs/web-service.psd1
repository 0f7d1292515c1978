# Test-DockOptImage spec (PowerShell data file; read as data, never run).
#   Test-DockOptImage myapp:1 -SpecPath examples/image-test-specs/web-service.psd1
@{
    metadata = @{
        nonRoot      = $true
        exposedPorts = @('8080/tcp')
        healthcheck  = @{ maxInterval = '30s' }
        execForm     = $true
    }
    runtime  = @{
        environment = @{ APP_MODE = 'test' }
        http        = @(
            @{ path = '/health'; status = @(200); retries = 2 }
        )
        shutdown    = @{ gracePeriod = '10s' }
    }
}
