import XCTest
@testable import IngestStages

final class ClassifyLanguageTests: XCTestCase {
    func testEnglish() {
        XCTAssertEqual(LanguageDetector.detect(
            "The city council said on Monday that the new bridge would open in the spring. Officials expect traffic to ease once it is finished."), "en")
        XCTAssertEqual(LanguageDetector.detect(
            "Shares of the carmaker fell sharply after it warned that profits would be lower than analysts had forecast for the year."), "en")
    }

    func testGerman() {
        XCTAssertEqual(LanguageDetector.detect(
            "Der Bürgermeister hat am Montag angekündigt, dass die neue Brücke im Frühjahr eröffnet wird. Die Anwohner sind nicht begeistert."), "de")
        XCTAssertEqual(LanguageDetector.detect("Wir haben uns sehr über das Ergebnis gefreut, und die Mannschaft hat gut gespielt."), "de")
    }

    func testFrench() {
        XCTAssertEqual(LanguageDetector.detect(
            "Le maire a annoncé lundi que le nouveau pont sera ouvert au printemps. Les habitants ne sont pas convaincus par le projet."), "fr")
        XCTAssertEqual(LanguageDetector.detect("Il fait très beau dans la région et les touristes sont nombreux sur les plages."), "fr")
    }

    func testSpanish() {
        XCTAssertEqual(LanguageDetector.detect(
            "El alcalde anunció el lunes que el nuevo puente se abrirá en la primavera. Los vecinos no están convencidos del proyecto."), "es")
        XCTAssertEqual(LanguageDetector.detect("La empresa presentó sus resultados y las acciones subieron más de lo esperado por los analistas."), "es")
    }

    func testItalian() {
        XCTAssertEqual(LanguageDetector.detect(
            "Il sindaco ha annunciato lunedì che il nuovo ponte sarà aperto in primavera. Gli abitanti non sono convinti del progetto."), "it")
        XCTAssertEqual(LanguageDetector.detect("La squadra ha vinto la partita e i tifosi della città sono molto contenti per il risultato."), "it")
    }

    func testPortuguese() {
        XCTAssertEqual(LanguageDetector.detect(
            "O prefeito anunciou na segunda-feira que a nova ponte será aberta na primavera. Os moradores não estão convencidos do projeto."), "pt")
        XCTAssertEqual(LanguageDetector.detect("A empresa divulgou os resultados do trimestre e as ações subiram mais do que o esperado."), "pt")
    }

    func testDutch() {
        XCTAssertEqual(LanguageDetector.detect(
            "De burgemeester heeft maandag aangekondigd dat de nieuwe brug in het voorjaar wordt geopend. De bewoners zijn er niet blij mee."), "nl")
        XCTAssertEqual(LanguageDetector.detect("Het bedrijf heeft de resultaten van het kwartaal bekendgemaakt en de koers is gestegen."), "nl")
    }

    func testScripts() {
        XCTAssertEqual(LanguageDetector.detect("市政府周一宣布，新的大桥将于明年春天通车，居民对此表示欢迎。"), "zh")
        XCTAssertEqual(LanguageDetector.detect("市役所は月曜日に、新しい橋が来年の春に開通すると発表しました。"), "ja")
        XCTAssertEqual(LanguageDetector.detect("시청은 월요일에 새 다리가 내년 봄에 개통될 것이라고 발표했다."), "ko")
        XCTAssertEqual(LanguageDetector.detect("أعلنت البلدية يوم الاثنين أن الجسر الجديد سيفتتح في الربيع المقبل."), "ar")
        XCTAssertEqual(LanguageDetector.detect("העירייה הודיעה ביום שני כי הגשר החדש ייפתח באביב הבא."), "he")
        XCTAssertEqual(LanguageDetector.detect("Ο δήμαρχος ανακοίνωσε τη Δευτέρα ότι η νέα γέφυρα θα ανοίξει την άνοιξη."), "el")
        XCTAssertEqual(LanguageDetector.detect("เทศบาลประกาศเมื่อวันจันทร์ว่าสะพานใหม่จะเปิดในฤดูใบไม้ผลิ"), "th")
        XCTAssertEqual(LanguageDetector.detect("नगर निगम ने सोमवार को घोषणा की कि नया पुल अगले वसंत में खुलेगा।"), "hi")
    }

    func testRussianConfirmedByStopWords() {
        XCTAssertEqual(LanguageDetector.detect(
            "Мэр города заявил в понедельник, что новый мост будет открыт весной, и жители уже ждут этого."), "ru")
    }

    func testUkrainianIsToldApartFromRussian() {
        XCTAssertEqual(LanguageDetector.detect("Міський голова заявив у понеділок, що новий міст буде відкрито навесні, і мешканці вже чекають."), "uk")
    }

    func testPersianIsNotReportedAsArabic() {
        XCTAssertNotEqual(LanguageDetector.detect("شهرداری روز دوشنبه اعلام کرد که پل جدید در بهار آینده افتتاح می‌شود."), "ar")
    }

    func testShortTextIsNil() {
        XCTAssertNil(LanguageDetector.detect("Hello world"))
        XCTAssertNil(LanguageDetector.detect("The summit"))
        XCTAssertNil(LanguageDetector.detect(""))
        XCTAssertNil(LanguageDetector.detect("12345 !!! ---"))
        XCTAssertNil(LanguageDetector.detect("北京"))
    }

    func testIndonesianIsNotMistakenForAnotherLatinLanguage() {
        XCTAssertEqual(LanguageDetector.detect("Pemerintah kota mengumumkan pada hari Senin bahwa jembatan yang baru akan dibuka untuk umum."), "id")
    }

    func testEnglishWithProperNounsAndNumbers() {
        XCTAssertEqual(LanguageDetector.detect(
            "HANOI, Feb 28 (Reuters) - U.S. President Donald Trump and North Korean leader Kim Jong Un cut short their summit in Vietnam on Thursday after failing to agree on sanctions relief."), "en")
    }
}

final class ShortTextLanguageTests: XCTestCase {
    func testOneSentenceTextsInManyLanguages() {
        var right = 0
        var wrong: [String] = []
        for (lang, sentence) in languageSentences {
            let got = LanguageDetector.detect(sentence)
            if got == lang { right += 1 } else { wrong.append("\(lang)→\(got ?? "nil"): \(sentence.prefix(40))") }
        }
        let accuracy = Double(right) / Double(languageSentences.count)
        print("LANGUAGE-ID one-sentence accuracy \(right)/\(languageSentences.count) = \(accuracy); misses: \(wrong)")
        XCTAssertGreaterThanOrEqual(accuracy, 0.9, "\(wrong)")
        XCTAssertGreaterThanOrEqual(Set(languageSentences.map(\.0)).count, 20)
    }
}
