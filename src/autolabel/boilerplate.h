#pragma once
// Boilerplate detection: splits a document (typically an e-mail body) into line blocks and marks
// each block as content or as one kind of boilerplate, so features and annotators see the content.
//
// Kinds: "content"; boilerplate kinds "quoted" (lines starting with '>', the attribution line
// "On … wrote:" above them, and everything after an "Original Message"/"Forwarded message"
// marker), "signature" (after the "-- " delimiter, or a valediction such as "Regards," followed
// by a few short lines at the end), "disclaimer" (confidentiality/legal paragraphs), "unsubscribe"
// (unsubscribe/removal/mailing-list footers), "navigation" (short link items separated by '|').
// Rules are line- and paragraph-level keyword and layout rules; each block's confidence is the
// fixed precision estimate of the rule that produced it (see boilerplate.cc).
// Offsets are bytes into the input: [start, end), blocks cover the input without gaps; blank lines
// belong to the block before them. Input is read as bytes: invalid UTF-8 is fine.
// Pure and thread-safe.
#include <string>
#include <string_view>
#include <vector>

namespace hitloop::autolabel {

struct TextBlock {
  size_t start = 0;  // byte offset, inclusive
  size_t end = 0;    // byte offset, exclusive
  std::string kind;  // "content" | "quoted" | "signature" | "disclaimer" | "unsubscribe" | "navigation"
  bool boilerplate = false;
  double confidence = 0.0;
};

struct BoilerplateOptions {
  size_t max_bytes = 1 << 20;  // longer input: the rest is one trailing "content" block, confidence 0
};

std::vector<TextBlock> DetectBoilerplate(std::string_view text, const BoilerplateOptions& options = {});

// Byte-weighted mean confidence of the blocks (0 for no blocks).
double BlocksConfidence(const std::vector<TextBlock>& blocks);

// The content blocks concatenated (what a feature extractor should see).
std::string ContentText(std::string_view text, const std::vector<TextBlock>& blocks);

}  // namespace hitloop::autolabel
