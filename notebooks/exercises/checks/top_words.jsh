// The check of exercise ex05-top-words: the five most frequent words of data/river.txt,
// lower-cased, without stop words and empty words, most frequent first, ties alphabetical.
List<String> topWordsStopWords = List.of("a", "an", "and", "the", "of", "to", "in", "is", "it", "on", "at", "that", "so", "but");

Check.named("Top 5 words without stop words").named("ko", "불용어를 뺀 상위 5개 단어")
    .query("top_words")
    .expect(spark.read().text(courseFile("exercises/data/river.txt"))
        .select(explode(split(lower(col("value")), " ")).as("word"))
        .where(col("word").notEqual("").and(not(col("word").isin(topWordsStopWords.toArray()))))
        .groupBy("word").count()
        .orderBy(col("count").desc(), col("word"))
        .limit(5))
    .columns("word", "count")
    .ordered()
    .hint("Compare lower-case words with the stop words: lower(...) first, then filter with isin(...).")
    .hint("ko", "불용어 목록과는 소문자로 바꾼 단어를 비교해야 합니다. 먼저 lower(...), 그다음 isin(...)으로 걸러 내세요.")
    .hint("A top 5 in complete mode: orderBy(col(\"count\").desc(), col(\"word\")).limit(5).")
    .hint("ko", "complete 출력 모드에서 상위 5개: orderBy(col(\"count\").desc(), col(\"word\")).limit(5).")
