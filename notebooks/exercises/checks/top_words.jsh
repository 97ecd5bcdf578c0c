// The check of exercise ex05-top-words: the five most frequent words of data/river.txt,
// lower-cased, without stop words and empty words, most frequent first, ties alphabetical.
List<String> topWordsStopWords = List.of("a", "an", "and", "the", "of", "to", "in", "is", "it", "on", "at", "that", "so", "but");

Check.named("Top 5 words without stop words")
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
    .hint("A top 5 in complete mode: orderBy(col(\"count\").desc(), col(\"word\")).limit(5).")
