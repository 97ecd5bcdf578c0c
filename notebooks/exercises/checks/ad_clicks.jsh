// The check of exercise ex09-ad-clicks: ad impressions joined with their clicks, a click counting only
// when it comes within 10 minutes after its impression. Worked out with a batch join of the same files
// (no click of the data is late for the watermarks, so the streaming join must give exactly these rows).
spark.conf().set("spark.sql.session.timeZone", "UTC");

Dataset<Row> adClicksShown = spark.read().schema("impression_id STRING, ad STRING, shown_at TIMESTAMP")
    .json(courseFile("exercises/data/ad-impressions"));
Dataset<Row> adClicksClicked = spark.read().schema("impression_id STRING, clicked_at TIMESTAMP")
    .json(courseFile("exercises/data/ad-clicks"));

Check.named("Clicks within 10 minutes of their ad").named("ko", "광고가 보인 뒤 10분 안의 클릭")
    .query("ad_clicks")
    .expect(adClicksShown.join(adClicksClicked, "impression_id")
        .where(expr("clicked_at BETWEEN shown_at AND shown_at + INTERVAL 10 MINUTES"))
        .select("impression_id", "ad", "shown_at", "clicked_at"))
    .columns("impression_id", "ad", "shown_at", "clicked_at")
    .hint("A click counts only within 10 minutes after its ad was shown: put the time bound into the join condition,"
        + " clicked_at BETWEEN shown_at AND shown_at + INTERVAL 10 MINUTES.")
    .hint("ko", "클릭은 광고가 보인 뒤 10분 안에 와야만 인정됩니다. 조인 조건에 시간 범위를 넣으세요:"
        + " clicked_at BETWEEN shown_at AND shown_at + INTERVAL 10 MINUTES.")
    .hint("Give both streams a watermark (withWatermark(\"shown_at\", ...), withWatermark(\"clicked_at\", ...)),"
        + " so that Spark can forget impressions that can no longer be clicked.")
    .hint("ko", "두 스트림 모두 워터마크를 거세요(withWatermark(\"shown_at\", ...), withWatermark(\"clicked_at\", ...))."
        + " 그래야 Spark가 더 이상 클릭될 수 없는 노출을 잊을 수 있습니다.")
