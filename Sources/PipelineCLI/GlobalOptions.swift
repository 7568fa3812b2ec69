import ArgumentParser

/// Options every role shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "JSON configuration file (default: $PIPELINE_CONFIG, else built-in defaults).")
    var config: String?

    func settings() throws -> PipelineSettings {
        try PipelineSettings.load(configPath: config)
    }
}
