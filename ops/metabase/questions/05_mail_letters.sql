-- Letters: delivery, opens, clicks, unsubscribes and the money paid within 7 days of a click.
SELECT project, channel, letter_id, sent, delivered, unique_opens, unique_clicks, unsubscribed,
       round(delivery_rate * 100, 1) AS delivery_percent, round(open_rate * 100, 1) AS open_percent,
       round(click_rate * 100, 1) AS click_percent, payers_after_click, revenue_after_click
FROM bi.mail_letters
ORDER BY project, revenue_after_click DESC, letter_id
