from rasa_plugins.launch import main

main()
