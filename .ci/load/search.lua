-- wrk script: a different library search with every request, as a stream of
-- visitors typing their own words sends them: the htmx fragment of /voorbeelden,
-- compressed as a browser asks. The words are those of
-- handlers/library_bench_test.go (benchWords): words of the library, other forms,
-- compounds, synonyms, places, typos and beginnings of words; each request
-- combines two to four of them into a search no other request of the run sends.
--
--   wrk -t2 -c50 -d10s -s .ci/load/search.lua http://127.0.0.1:8080
local words = {
  "statushouders", "woningen", "tijdelijke", "kantoor", "jongeren", "gezinnen", "flexwoningen",
  "vergunninghouders", "woningdelen", "kamers", "corporatie", "begeleiding", "transformatie",
  "Utrecht", "Den Haag", "Eindhoven", "Drenthe", "Amsterdam", "gemengd", "opvang", "azc",
  "spoedzoekers", "doorstroom", "containerwoningen", "gemeente", "huisvesting", "wonen",
  "statushouers", "wonignen", "kamergewize", "corporatei", "gastgzin", "begeleidng",
  "wo", "st", "kan", "gez", "tijdel", "flexw", "hoe", "een", "voor",
}
local n = #words

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  counter = 0
  -- The warm-up ("-- warm") sends other searches than the measured run.
  offset = (args[1] == "warm") and 500000 or 0
end

local function escape(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- query i combines words the way uniqueQuery does in the Go benchmark.
local function query(i)
  local q = words[i % n + 1]
  local k = math.floor(i / n)
  while k > 0 do
    q = words[k % n + 1] .. " " .. q
    k = math.floor(k / n)
  end
  return q
end

function request()
  counter = counter + 1
  local i = offset + n + counter * 2 + tid -- from two words on; threads take turns
  return wrk.format("GET", "/voorbeelden?q=" .. escape(query(i)),
    {["HX-Request"] = "true", ["Accept-Encoding"] = "gzip, deflate, br"})
end
