import Hummingbird
import HummingbirdTesting
import Ingest
import Testing

/// Signatures, unknown routes and readiness: refusals that must produce nothing.
@Suite struct IngestAuthTests {
    @Test func unisenderGoWithAWrongSignatureIs403() async throws {
        let harness = try IngestHarness()
        let body = #"{"auth":"0123456789abcdef0123456789abcdef","events_by_user":[]}"#
        try await harness.test { client in
            try await client.execute(uri: "/mail/school/unisender-go", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .forbidden)
                #expect(response.text.contains("auth"))
                #expect(!response.text.contains(IngestHarness.unisenderKey))
            }
        }
    }

    @Test func sendGridWithoutOrWithAWrongSignatureIsRefused() async throws {
        let harness = try IngestHarness()
        let body = ByteBuffer(string: "[]")
        let signature = "X-Twilio-Email-Event-Webhook-Signature"
        let timestamp = "X-Twilio-Email-Event-Webhook-Timestamp"
        try await harness.test { client in
            try await client.execute(uri: "/mail/school/sendgrid", method: .post, body: body) { #expect($0.status == .unauthorized) }
            var headers = HTTPFields.header(signature, "MEUCIQDx")
            headers[.init(timestamp)!] = "1768467822"
            try await client.execute(uri: "/mail/school/sendgrid", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .forbidden)
                #expect(response.text.contains(signature))
            }
        }
    }

    @Test func theDealsRouteIsNotTakenForAKindAndUnknownKindsAre404() async throws {
        let harness = try IngestHarness()
        try await harness.test { client in
            try await client.execute(uri: "/gc/school/deals?secret=\(IngestHarness.secret)", method: .post, body: ByteBuffer(string: "{}")) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/gc/school/refund?secret=\(IngestHarness.secret)", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.text.contains("kind"))
            }
            try await client.execute(uri: "/gc/school/order?order_id=1", method: .get) { #expect($0.status == .unauthorized) }
        }
        #expect(try await harness.messages(in: "school.orders").isEmpty)
    }

    @Test func readinessFollowsKafka() async throws {
        let harness = try IngestHarness()
        try await harness.test { client in
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
        try harness.cluster.setBrokerDown(1)
        try await harness.test { client in
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }
}
