-- wrk script: the letter's page as shared links bring people to it, each
-- request with an address of its own: a code the site knows or one nobody
-- made, and the tags Facebook and mailers add (fbclid, utm_*). The page
-- cache keys only the normalised code (timesup/infrastructure/caching.py),
-- so these must cost what the plain page does.

local codes = {"whatsapp", "x", "facebook", "email", "copy", "share-sheet", "widget"}
local counter = 0

function request()
  counter = counter + 1
  local code = codes[counter % #codes + 1]
  if counter % 3 == 0 then
    code = "made-up-" .. counter -- "other"
  end
  return wrk.format(nil, "/en/?source=" .. code .. "&fbclid=IwAR" .. counter .. "&utm_source=n" .. counter)
end
