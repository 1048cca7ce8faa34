#include "autolabel/format.h"

#include <gtest/gtest.h>

namespace hitloop::autolabel {
namespace {

struct Case {
  const char* name;
  std::string text;
  const char* format;
  const char* code_language;  // nullptr: not checked
};

TEST(FormatTest, EachFormat) {
  const Case cases[] = {
      {"json", "{\n  \"name\": \"hitloop\",\n  \"tags\": [1, 2, 3]\n}\n", "json", nullptr},
      {"jsonl", "{\"id\": 1, \"text\": \"a\"}\n{\"id\": 2, \"text\": \"b\"}\n{\"id\": 3}\n", "jsonl", nullptr},
      {"xml", "<?xml version=\"1.0\"?>\n<config>\n  <item key=\"a\">1</item>\n</config>\n", "xml", nullptr},
      {"html", "<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>Hi</p></body></html>", "html", nullptr},
      {"csv", "name,age,city\nalice,30,paris\nbob,25,berlin\ncarol,41,rome\n", "csv", nullptr},
      {"tsv", "name\tage\tcity\nalice\t30\tparis\nbob\t25\tberlin\n", "tsv", nullptr},
      {"markdown", "# Title\n\nSome text with a [link](http://x.org).\n\n## Install\n\n- one\n- two\n\n```\nmake\n```\n", "markdown", nullptr},
      {"yaml", "---\nname: hitloop\nversion: 1\ndeps:\n  - fmt\n  - spdlog\n", "yaml", nullptr},
      {"email", "From: alice@example.org\nTo: bob@example.org\nSubject: lunch\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\nSee you at noon.\n", "email", nullptr},
      {"urls", "https://example.org/a\nhttps://example.org/b?x=1\nhttp://debian.org/\n", "url_list", nullptr},
      {"log", "2024-01-05 10:00:01 INFO server started\n2024-01-05 10:00:02 WARN slow disk\n2024-01-05 10:00:03 ERROR failed\n", "log", nullptr},
      {"syslog", "Jan  5 10:00:01 host sshd[12]: Accepted key\nJan  5 10:00:02 host cron[13]: job ran\nJan  5 10:00:03 host kernel: eth0 up\n", "log", nullptr},
      {"c", "#include <stdio.h>\n\nint main(void) {\n  printf(\"hi\\n\");\n  return 0;\n}\n", "code", "c"},
      {"cpp", "#include <vector>\nnamespace x {\ntemplate <typename T>\nclass Box {\n public:\n  T v;\n};\n}  // namespace x\n", "code", "cpp"},
      {"python", "import os\n\ndef main():\n    for x in os.listdir('.'):\n        print(x)\n\nif __name__ == '__main__':\n    main()\n", "code", "python"},
      {"shell", "#!/bin/sh\nset -e\nif [ -f x ]; then\n  echo yes\nfi\n", "code", "shell"},
      {"prose", "It was a bright cold day in April, and the clocks were striking thirteen. Winston Smith, "
                "his chin nuzzled into his breast in an effort to escape the vile wind, slipped quickly "
                "through the glass doors of Victory Mansions.\n", "prose", nullptr},
      {"ini", "[core]\nrepositoryformatversion = 0\nfilemode = true\n[remote \"origin\"]\nurl = https://x\n", "ini", nullptr},
  };
  for (const auto& c : cases) {
    const FormatResult r = DetectFormat(c.text);
    EXPECT_EQ(r.format, c.format) << c.name << " (confidence " << r.confidence << ")";
    if (c.code_language) EXPECT_EQ(r.code_language, c.code_language) << c.name;
    EXPECT_GT(r.confidence, 0.0) << c.name;
    EXPECT_LE(r.confidence, 1.0) << c.name;
  }
}

TEST(FormatTest, EmptyBinaryHugeMixed) {
  EXPECT_EQ(DetectFormat("").format, "empty");
  EXPECT_EQ(DetectFormat(" \n\t ").format, "empty");
  std::string binary(1000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
  EXPECT_EQ(DetectFormat(binary).format, "binary");
  EXPECT_EQ(DetectFormat(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)).format, "binary");
  // 20 MB of JSON Lines: judged by its prefix, quickly.
  std::string huge;
  while (huge.size() < (20 << 20)) huge += "{\"id\": \"x\", \"text\": \"hello world\"}\n";
  EXPECT_EQ(DetectFormat(huge).format, "jsonl");
  const auto mixed = DetectFormat("Привет мир. 你好，世界。 Hello world. مرحبا بالعالم.");
  EXPECT_EQ(mixed.format, "prose");
}

}  // namespace
}  // namespace hitloop::autolabel
