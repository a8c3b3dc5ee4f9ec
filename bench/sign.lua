-- wrk script: sign the letter, each request with an address of its own.
-- Arguments (after --): started token, address prefix, the site's origin.
-- No CSRF token: the form is served from the page cache and guarded by its
-- origin instead (timesup/infrastructure/origin.py), as a browser's Origin header states it.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  started, prefix, origin = args[1], args[2], args[3]
  counter, accepted, server_errors, other = 0, 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Origin"] = origin
end

function request()
  counter = counter + 1
  local body = "started=" .. started
    .. "&name=Bench+Signer&country=US&industry=law&email="
    .. prefix .. "-" .. id .. "-" .. counter .. "%40example.org"
  return wrk.format(nil, "/en/sign/", nil, body)
end

function response(status, headers, body)
  if status == 302 then
    accepted = accepted + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local a, e, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted")
    e = e + thread:get("server_errors")
    o = o + thread:get("other")
  end
  io.write(string.format("BENCH accepted=%d server_errors=%d other=%d\n", a, e, o))
end
