import Foundation

/// A registration envelope as the platform's producer would write it.
func registrationJSON(id: String, project: String = "school-a", user: String, at occurredAt: String,
                      source: String = "yandex") -> String {
    """
    {"id":"\(id)","type":"registration","project":"\(project)","source":"getcourse","occurred_at":"\(occurredAt)",\
    "data":{"user_id":"\(user)","utm":{"source":"\(source)","campaign":"c1","content":"a1"}}}
    """
}
