-- wrk script: the minimal Django's POST, a three-field form inserted as one row.

function init(args)
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  counter = counter + 1
  local body = "name=Bench+Signer&country=US&email=bench-" .. counter .. "%40example.org"
  return wrk.format(nil, "/post/", nil, body)
end
