import Aggregation
import Events
import Postgres

/// Reads `pipeline.fx_rates` into memory: the table is small (currencies × days) and every
/// batch needs it.
struct FxRateStore {
    func load(in connection: PostgresConnection) throws -> FxRates {
        var rates = FxRates()
        for row in try connection.execute(
            "SELECT base_currency, currency, day::text, rate::text FROM pipeline.fx_rates").rows
        {
            rates.add(base: try row.decode(0, as: String.self), currency: try row.decode(1, as: String.self),
                      day: try row.date(2), rate: try row.decimal(3))
        }
        return rates
    }
}
